/** The projector's clock: retention cut-offs and partition windows, never the read-model values. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
