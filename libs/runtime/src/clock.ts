/**
 * The one clock port: every "now" outside the pure domain comes from here (the command
 * processor's `metadata.now`, retention cut-offs and partition windows, expiry and uptime windows
 * of the read API), so a test replaces it with a fixed clock. The domain itself gets time as data.
 */
export interface Clock {
  now(): Date;
}

/** Injection token of the Clock. */
export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => new Date() };
