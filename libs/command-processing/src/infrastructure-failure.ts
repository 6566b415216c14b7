/**
 * A failure of Kafka or Postgres themselves (a lost connection, a timeout), as opposed to a
 * failure caused by one command. It is the only kind of error that may leave the partition
 * handler: the transaction is then dropped and the slice retried, which can succeed once the
 * dependency is back. Any other error while handling a command is that command's INTERNAL_ERROR
 * result, because retrying the slice would meet the same error for ever and hold up the partition.
 */
export class InfrastructureFailure extends Error {
  constructor(
    readonly dependency: 'postgres' | 'kafka',
    cause: unknown,
  ) {
    super(`${dependency}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'InfrastructureFailure';
  }
}

/** Runs `query` and marks whatever it throws as a failure of `dependency`. */
export async function asInfrastructure<T>(dependency: InfrastructureFailure['dependency'], query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    throw new InfrastructureFailure(dependency, error);
  }
}
