import { Logger } from '@nestjs/common';
import { KafkaLogger } from '@vinsight/kafka';

/** KafkaJS's log entries through Nest's logger (pino underneath), context kept as JSON. */
export function nestKafkaLogger(logger: Logger): KafkaLogger {
  const line = (context: Record<string, unknown>, message: string) => `${message} ${JSON.stringify(context)}`;
  return {
    error: (context, message) => logger.error(line(context, message)),
    warn: (context, message) => logger.warn(line(context, message)),
    info: (context, message) => logger.log(line(context, message)),
    debug: (context, message) => logger.debug(line(context, message)),
  };
}
