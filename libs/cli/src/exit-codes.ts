/** The CLI's exit status: scripts branch on it. */
export const EXIT = {
  /** The command was accepted (a repeat of an accepted command too). */
  ACCEPTED: 0,
  /** Connection, timeout, or any other failure: the outcome is unknown. */
  ERROR: 1,
  /** Bad arguments, input or settings (a Kafka password or CA the brokers refuse): nothing was published. */
  USAGE: 2,
  /** The command processor rejected the command; the result says why. */
  REJECTED: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Arguments or input the CLI cannot use; reported with the usage, before anything is published. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
