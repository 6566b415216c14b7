/** The processor's clock in every domain test. */
export const FIXED_NOW = new Date('2025-01-15T12:00:00.000Z');

export const secondsFromNow = (seconds: number): Date => new Date(FIXED_NOW.getTime() + seconds * 1000);
