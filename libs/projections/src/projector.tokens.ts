export const PROJECTIONS_KAFKA = Symbol('PROJECTIONS_KAFKA');
export const PROJECTOR_OPTIONS = Symbol('PROJECTOR_OPTIONS');
/** The process's LifecycleState (startup probe): by token, so this library never loads the health module. */
export const PROJECTOR_LIFECYCLE = Symbol('PROJECTOR_LIFECYCLE');
