import { isDatabaseUnavailable } from '@vinsight/database';

/**
 * What a failed statement means for the batch:
 * - `transient`: the database or the connection had a problem (lost connection, deadlock,
 *   serialization failure, timeout, shutdown): the whole batch is tried again as it was.
 * - `poison`: the data was refused (a constraint, an invalid value): some event of the batch
 *   cannot be applied; the batch is split until that event is found and parked.
 * - `fatal`: anything else (a missing table, a permission, a bug): retrying or parking would only
 *   hide it, so it stops the consumer, which restarts from the checkpoint.
 */
export type FailureKind = 'transient' | 'poison' | 'fatal';

const TRANSIENT_CLASSES = ['08', '40', '53', '57', '58'];
const POISON_CLASSES = ['22', '23'];

export function classifyFailure(error: unknown): FailureKind {
  if (isDatabaseUnavailable(error)) return 'transient';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    if (code === '55P03') return 'transient'; // lock_not_available
    const sqlClass = code.slice(0, 2);
    if (TRANSIENT_CLASSES.includes(sqlClass)) return 'transient';
    if (POISON_CLASSES.includes(sqlClass)) return 'poison';
    return 'fatal';
  }
  return 'fatal';
}

export const errorCodeOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'ERROR';
};
