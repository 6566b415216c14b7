import type { Decision } from '../decision';
import type { DomainCommand } from '../domain-command';
import type { DomainEvent } from '../domain-event';
import type { DomainError, DomainErrorCode } from '../shared/domain-error';
import { decide } from '../tenant-write-state/tenant-write-state.decider';
import { TEST_DECISION_PORTS } from './domain-factories';
import { versionOf } from '../tenant-write-state/tenant-write-state.decider';
import type { TenantWriteState } from '../tenant-write-state/tenant-write-state';
import { evolveTenantWriteState, initialTenantWriteState } from '../tenant-write-state/tenant-write-state';

export interface Decider<TState> {
  readonly initialState: () => TState;
  readonly evolve: (state: TState, event: DomainEvent) => TState;
  readonly decide: (command: DomainCommand, state: TState) => Decision;
  /** When given, `then` also checks that the decided versions are the ones evolve arrives at. */
  readonly versionOf?: (state: TState, decision: Extract<Decision, { ok: true }>) => number;
}

/**
 * emmett's given/when/then for deciders:
 *   spec([tenantCreated(...)]).when(createMonitor(...)).then([monitorCreated(...)])
 *   spec([...]).when(...).thenFails('PLAN_LIMIT_EXCEEDED')
 */
export const DeciderSpecification = {
  for<TState>(decider: Decider<TState>) {
    return (givenEvents: readonly DomainEvent[] = []) => ({
      when(command: DomainCommand) {
        const state = givenEvents.reduce(decider.evolve, decider.initialState());
        const decision = decider.decide(command, state);

        const accepted = (): Extract<Decision, { ok: true }> => {
          if (!decision.ok) {
            throw new Error(`expected ${command.type} to be accepted, got ${decision.error.code}: ${decision.error.message}`);
          }
          if (decider.versionOf) {
            const after = decision.events.reduce(decider.evolve, state);
            expect(decider.versionOf(after, decision)).toBe(decision.version);
          }
          return decision;
        };

        return {
          decision,
          then(expected: readonly DomainEvent[]): Extract<Decision, { ok: true }> {
            const ok = accepted();
            expect(ok.events.map(({ type, data }) => ({ type, data }))).toEqual(expected);
            return ok;
          },
          thenNothingHappens(): Extract<Decision, { ok: true }> {
            const ok = accepted();
            expect(ok.events).toEqual([]);
            return ok;
          },
          thenFails(code: DomainErrorCode, field?: string): DomainError {
            if (decision.ok) {
              throw new Error(`expected ${command.type} to fail with ${code}, it was accepted: ${JSON.stringify(decision.events)}`);
            }
            expect(decision.error.code).toBe(code);
            expect(decision.error.message).not.toHaveLength(0);
            if (field !== undefined) expect(decision.error.details?.map((detail) => detail.field)).toContain(field);
            return decision.error;
          },
        };
      },
    });
  },
};

export const tenantWriteDecider: Decider<TenantWriteState> = {
  initialState: initialTenantWriteState,
  evolve: evolveTenantWriteState,
  decide: (command, state) => decide(command, state, TEST_DECISION_PORTS),
  versionOf: (state, decision) => versionOf(state, decision),
};

/** The specification most domain tests use: the whole tenant write state. */
export const spec = DeciderSpecification.for(tenantWriteDecider);
