import { logLevel as KafkaLogLevel } from 'kafkajs';
import type { CommandResultLike, KafkaLogger } from '@vinsight/kafka';
import { CommandClient, createKafkaClient, topicNames } from '@vinsight/kafka';
import type { OutgoingEnvelope } from '../envelope/command-envelope.builder';
import type { CliSettings } from '../settings/cli.settings';

/** Publishes one command and waits for its result: the CLI's only use of Kafka. */
export interface CommandSender {
  execute(envelope: OutgoingEnvelope, timeoutMs: number): Promise<CommandResultLike>;
  disconnect(): Promise<void>;
}

const KAFKA_LEVELS: Record<string, KafkaLogLevel> = {
  trace: KafkaLogLevel.DEBUG,
  debug: KafkaLogLevel.DEBUG,
  info: KafkaLogLevel.INFO,
  warn: KafkaLogLevel.WARN,
  error: KafkaLogLevel.ERROR,
  fatal: KafkaLogLevel.ERROR,
  silent: KafkaLogLevel.NOTHING,
};

/** KafkaJS's log as JSON lines on stderr: stdout carries only results. */
export function stderrKafkaLogger(stderr: { write(text: string): unknown }): KafkaLogger {
  const line = (level: string) => (context: Record<string, unknown>, message: string) =>
    stderr.write(`${JSON.stringify({ level, msg: message, ...context })}\n`);
  return { error: line('error'), warn: line('warn'), info: line('info'), debug: line('debug') };
}

export async function connectKafkaCommandSender(settings: CliSettings, stderr: { write(text: string): unknown }): Promise<CommandSender> {
  const kafka = createKafkaClient(
    { brokers: settings.brokers, clientId: settings.clientId, ssl: settings.ssl, sasl: settings.sasl },
    { logger: stderrKafkaLogger(stderr), logLevel: KAFKA_LEVELS[settings.logLevel] ?? KafkaLogLevel.WARN },
  );
  const topics = topicNames(settings.topicPrefix);
  const client = await CommandClient.connect(kafka, topics).catch((error: Error) => {
    if (!/does not host this topic-partition|UNKNOWN_TOPIC/i.test(error.message)) throw error;
    throw new Error(`${error.message}: is ${topics.commandResults} there? (KAFKA_TOPIC_PREFIX is "${settings.topicPrefix}")`);
  });
  return {
    execute: (envelope, timeoutMs) => client.execute(envelope, timeoutMs),
    disconnect: () => client.disconnect(),
  };
}
