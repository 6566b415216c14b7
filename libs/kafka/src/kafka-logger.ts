import { logCreator, LogEntry, logLevel } from 'kafkajs';

/**
 * The logging port KafkaJS writes to. Its shape is pino's (`logger.info(context, message)`),
 * so a pino logger can be passed as it is; anything else with these four methods works too.
 */
export interface KafkaLogger {
  error(context: Record<string, unknown>, message: string): void;
  warn(context: Record<string, unknown>, message: string): void;
  info(context: Record<string, unknown>, message: string): void;
  debug(context: Record<string, unknown>, message: string): void;
}

/**
 * Broker answers (KafkaJS's own texts) that a healthy cluster gives every day: group
 * coordinators loading their state after a broker start, coordinator moves, rebalances, leader
 * elections, topics created a moment ago, the commit markers of the previous transaction still
 * being written. KafkaJS retries each of them by itself.
 */
export const ROUTINE_BROKER_ERRORS: readonly string[] = [
  "The coordinator is loading and hence can't process requests for this group",
  'The group coordinator is not available',
  'This is not the correct coordinator for this group',
  'The group is rebalancing, so a rejoin is needed',
  'The coordinator is not aware of this member',
  'There is no leader for this topic-partition as we are in the middle of a leadership election',
  'This server is not the leader for that topic-partition',
  'This server does not host this topic-partition',
  'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
  'The leader high watermark has not caught up from a recent leader election so the offsets cannot be guaranteed to be monotonically increasing',
];

/** Other retriable answers: retried too, but worth an operator's eye when they keep coming. */
const RETRIED_BROKER_ERRORS: readonly string[] = [
  'The request timed out',
  'The server disconnected before a response was received',
  'The replica is not available for the requested topic-partition',
  'Messages are rejected since there are fewer in-sync replicas than required',
  'The fetch session ID was not found',
  'The fetch session epoch is invalid',
  'There are unstable offsets that need to be cleared',
];

const CONNECTION_TROUBLE = /Connection error|Connection timeout|ECONNREFUSED|ECONNRESET|ETIMEDOUT|Failed to connect/;

/**
 * A broker that is down, restarting or unreachable, as a connection sees it: every client logs
 * it per connection attempt for the whole outage, which readiness reports (503 naming kafka), and
 * KafkaJS reconnects by itself. TLS and SASL refusals are not among them: they never heal.
 */
const BROKER_UNREACHABLE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|^Connection timeout/;

const mentions = (text: string, known: readonly string[]) => known.some((k) => text.includes(k));

/**
 * The level a KafkaJS entry is logged at. KafkaJS logs at ERROR every broker error response
 * and every attempt of its retry loops, although it retries them by itself: a normal start
 * (coordinators loading) wrote dozens of error lines. Error is kept for what an operator must
 * act on: an operation that finally failed (a consumer crash, an exhausted retry, which the
 * caller reports too) and anything not known to be retried. Only ERROR entries are lowered.
 * - a broker's answer (`Response <Api>`) with a routine retriable error: debug; with another
 *   retriable error: warn (the request is retried; if the retries run out, the crash or the
 *   caller's error says so);
 * - a retry loop's attempt (it carries `retryCount`) failing on a retriable error or a broken
 *   connection: warn;
 * - a connection refused, reset or timed out (a broker down): warn;
 * - a consumer crash on a routine error, and "Restarting the consumer": warn, since KafkaJS
 *   restarts a consumer that crashed on a retriable error; any other crash stays error.
 */
export function kafkaLogLevel({ namespace, level, log }: Pick<LogEntry, 'namespace' | 'level' | 'log'>): logLevel {
  if (level !== logLevel.ERROR) return level;
  const message = String(log.message ?? '');
  const text = `${message} ${typeof log.error === 'string' ? log.error : ''}`;
  if (namespace === 'Connection' && message.startsWith('Response ')) {
    if (mentions(text, ROUTINE_BROKER_ERRORS)) return logLevel.DEBUG;
    if (mentions(text, RETRIED_BROKER_ERRORS)) return logLevel.WARN;
    return logLevel.ERROR;
  }
  if (namespace === 'Connection' && BROKER_UNREACHABLE.test(message)) return logLevel.WARN;
  if (message.startsWith('Crash: ')) return mentions(text, ROUTINE_BROKER_ERRORS) ? logLevel.WARN : logLevel.ERROR;
  if (message.startsWith('Restarting the consumer')) return logLevel.WARN;
  if (message.startsWith('The coordinator is not aware of this member, re-joining')) return logLevel.WARN;
  const retrying = typeof log.retryCount === 'number';
  if (retrying && (mentions(text, ROUTINE_BROKER_ERRORS) || mentions(text, RETRIED_BROKER_ERRORS) || CONNECTION_TROUBLE.test(text))) {
    return logLevel.WARN;
  }
  return logLevel.ERROR;
}

/** Routes KafkaJS log entries to `logger` at the level kafkaLogLevel gives them, keeping KafkaJS's structured fields as context. */
export function kafkaLogCreator(logger: KafkaLogger): logCreator {
  return () => (entry: LogEntry) => {
    // KafkaJS stamps its own time and logger name; the target logger has both already. Its
    // `correlationId` is the protocol's request number, not ours: renamed, so a line never
    // carries two different correlationId keys (the trace scope's one is ours).
    const { message, timestamp: _timestamp, logger: _logger, correlationId, ...fields } = entry.log;
    const context = { kafkajs: entry.namespace, ...fields, ...(correlationId !== undefined ? { kafkaRequestId: correlationId } : {}) };
    switch (kafkaLogLevel(entry)) {
      case logLevel.ERROR:
        logger.error(context, message);
        break;
      case logLevel.WARN:
        logger.warn(context, message);
        break;
      case logLevel.INFO:
        logger.info(context, message);
        break;
      default:
        logger.debug(context, message);
    }
  };
}
