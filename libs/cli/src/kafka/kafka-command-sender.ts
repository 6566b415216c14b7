import { randomUUID } from 'node:crypto';
import type { CommandResultLike, KafkaLogger } from '@vinsight/kafka';
// @vinsight/kafka before KafkaJS: it replaces KafkaJS's grouping of a send's messages by partition.
import { CommandClient, createKafkaClient, topicNames } from '@vinsight/kafka';
import { logLevel as KafkaLogLevel } from 'kafkajs';
import type { OutgoingEnvelope } from '../envelope/command-envelope.builder';
import type { CliSettings } from '../settings/cli.settings';
import { checkKafkaSettings } from './kafka-settings-check';

/** Publishes commands and waits for their results: the CLI's only use of Kafka. */
export interface CommandSender {
  execute(envelope: OutgoingEnvelope, timeoutMs: number): Promise<CommandResultLike>;
  /**
   * Publishes the envelopes in one produce request. Each result promise settles with its
   * command's result, or rejects when none came within `timeoutMs` of the call.
   */
  dispatch(envelopes: readonly OutgoingEnvelope[], timeoutMs: number): { sent: Promise<void>; results: Promise<CommandResultLike>[] };
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

type Output = { write(text: string): unknown };

/**
 * KafkaJS's log as JSON lines on stderr (stdout carries only results), at `printLevel` and above.
 * Every error is also handed to `onError` whatever is printed: the connect failure's one line
 * names the last one.
 */
export function stderrKafkaLogger(
  stderr: Output,
  printLevel: KafkaLogLevel = KafkaLogLevel.DEBUG,
  onError?: (message: string) => void,
): KafkaLogger {
  const line = (level: string, value: KafkaLogLevel) => (context: Record<string, unknown>, message: string) => {
    if (value <= printLevel) stderr.write(`${JSON.stringify({ level, msg: message, ...context })}\n`);
  };
  const error = line('error', KafkaLogLevel.ERROR);
  return {
    error: (context, message) => {
      onError?.(typeof context.error === 'string' ? `${message}: ${context.error}` : message);
      error(context, message);
    },
    warn: line('warn', KafkaLogLevel.WARN),
    info: line('info', KafkaLogLevel.INFO),
    debug: line('debug', KafkaLogLevel.DEBUG),
  };
}

/**
 * Connects within `timeoutMs` or fails with one line. KafkaJS would otherwise retry an
 * unreachable broker for ~20 s; whatever it still connects after the deadline is closed again.
 * The consumer group is `<KAFKA_CLIENT_ID>.cli.<uuid>`, deleted on disconnect.
 */
export async function connectKafkaCommandSender(settings: CliSettings, stderr: Output, timeoutMs: number): Promise<CommandSender> {
  await checkKafkaSettings(settings, timeoutMs);
  let lastError: string | undefined;
  const printLevel = KAFKA_LEVELS[settings.logLevel] ?? KafkaLogLevel.NOTHING;
  const kafka = createKafkaClient(
    { brokers: settings.brokers, clientId: settings.clientId, ssl: settings.ssl, sasl: settings.sasl },
    {
      logger: stderrKafkaLogger(stderr, printLevel, (message) => (lastError = message)),
      logLevel: Math.max(printLevel, KafkaLogLevel.ERROR),
    },
  );
  const topics = topicNames(settings.topicPrefix);
  const connecting = CommandClient.connect(kafka, topics, {
    groupId: `${settings.clientId}.${randomUUID()}`,
    deleteGroupOnDisconnect: true,
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const where = `Kafka at ${settings.brokers.join(',')} (KAFKA_BROKERS)`;
  let client: CommandClient;
  try {
    const first = await Promise.race([connecting, deadline]);
    if (first === 'timeout') {
      connecting.then((late) => late.disconnect()).catch(() => undefined);
      throw new Error(`cannot connect to ${where} within ${timeoutMs} ms${lastError === undefined ? '' : ` (last error: ${lastError})`}`);
    }
    client = first;
  } catch (error) {
    const message = (error as Error).message;
    if (/does not host this topic-partition|UNKNOWN_TOPIC/i.test(message)) {
      throw new Error(`${message}: is ${topics.commandResults} there? (KAFKA_TOPIC_PREFIX is "${settings.topicPrefix}")`);
    }
    if (message.startsWith('cannot connect')) throw error;
    throw new Error(`cannot connect to ${where}: ${message}`);
  } finally {
    clearTimeout(timer);
  }
  return {
    execute: (envelope, timeout) => client.execute(envelope, timeout),
    dispatch: (envelopes, timeout) => {
      // Waiting starts before publishing: a result can come back before send() returns.
      const results = envelopes.map((envelope) => client.waitFor(envelope.commandId, 1, timeout).then(([result]) => result));
      return { sent: client.sendMany([...envelopes]), results };
    },
    disconnect: () => client.disconnect(),
  };
}
