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

/** Routes KafkaJS log entries to `logger`, keeping KafkaJS's structured fields as context. */
export function kafkaLogCreator(logger: KafkaLogger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      // KafkaJS stamps its own time and logger name; the target logger has both already.
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
      const context = { kafkajs: namespace, ...fields };
      switch (level) {
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
