import { logLevel } from 'kafkajs';
import pino from 'pino';
import { KafkaLogger, kafkaLogCreator, kafkaLogLevel, ROUTINE_BROKER_ERRORS } from './kafka-logger';

type Call = [level: string, context: Record<string, unknown>, message: string];

function recordingLogger(): KafkaLogger & { calls: Call[] } {
  const calls: Call[] = [];
  const at =
    (level: string) =>
    (context: Record<string, unknown>, message: string): void => {
      calls.push([level, context, message]);
    };
  return { calls, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

const entry = (level: logLevel, extra: Record<string, unknown> = {}) => ({
  namespace: 'Consumer',
  level,
  label: logLevel[level],
  log: { timestamp: '2026-01-01T00:00:00.000Z', logger: 'kafkajs', message: 'hello', ...extra },
});

describe('kafkaLogCreator', () => {
  it.each([
    [logLevel.ERROR, 'error'],
    [logLevel.WARN, 'warn'],
    [logLevel.INFO, 'info'],
    [logLevel.DEBUG, 'debug'],
  ])('sends KafkaJS level %s to logger.%s', (level, method) => {
    const logger = recordingLogger();
    kafkaLogCreator(logger)(logLevel.DEBUG)(entry(level));
    expect(logger.calls).toEqual([[method, { kafkajs: 'Consumer' }, 'hello']]);
  });

  it('keeps KafkaJS fields as context and drops its own timestamp and logger name', () => {
    const logger = recordingLogger();
    kafkaLogCreator(logger)(logLevel.INFO)(entry(logLevel.WARN, { groupId: 'g1', retryCount: 2 }));
    expect(logger.calls).toEqual([['warn', { kafkajs: 'Consumer', groupId: 'g1', retryCount: 2 }, 'hello']]);
  });

  it('accepts a pino logger as it is', () => {
    const destination = {
      lines: [] as string[],
      write(line: string) {
        this.lines.push(line);
      },
    };
    const logger: KafkaLogger = pino({ level: 'debug', base: undefined, timestamp: false }, destination);
    kafkaLogCreator(logger)(logLevel.INFO)(entry(logLevel.ERROR, { broker: '127.0.0.1:9092' }));
    expect(destination.lines.map((line) => JSON.parse(line))).toEqual([
      { level: 50, kafkajs: 'Consumer', broker: '127.0.0.1:9092', msg: 'hello' },
    ]);
  });

  it("renames KafkaJS's protocol correlationId, so a line never carries two correlationId keys", () => {
    const logger = recordingLogger();
    kafkaLogCreator(logger)(logLevel.DEBUG)(entry(logLevel.INFO, { correlationId: 7 }));
    expect(logger.calls).toEqual([['info', { kafkajs: 'Consumer', kafkaRequestId: 7 }, 'hello']]);
  });
});

describe('kafkaLogLevel', () => {
  const NAMES = Object.fromEntries(Object.entries(logLevel).map(([name, value]) => [value, name]));
  const at = (namespace: string, level: logLevel, log: Record<string, unknown>) =>
    NAMES[kafkaLogLevel({ namespace, level, log: { timestamp: 't', logger: 'kafkajs', message: '', ...log } })];

  // What a healthy start and a rebalance logged at error (the texts KafkaJS writes).
  it.each([
    [
      'Connection',
      {
        message: 'Response GroupCoordinator(key: 10, version: 2)',
        error: "The coordinator is loading and hence can't process requests for this group",
        correlationId: 3,
        size: 60,
      },
      'DEBUG',
    ],
    ['Connection', { message: 'Response FindCoordinator(key: 10, version: 2)', error: 'The group coordinator is not available' }, 'DEBUG'],
    [
      'Connection',
      { message: 'Response JoinGroup(key: 11, version: 5)', error: 'The group is rebalancing, so a rejoin is needed' },
      'DEBUG',
    ],
    [
      'Connection',
      { message: 'Response Heartbeat(key: 12, version: 3)', error: 'The group is rebalancing, so a rejoin is needed' },
      'DEBUG',
    ],
    [
      'Connection',
      {
        message: 'Response AddPartitionsToTxn(key: 24, version: 1)',
        error: 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
      },
      'DEBUG',
    ],
    [
      'Connection',
      {
        message: 'Response Metadata(key: 3, version: 6)',
        error: 'There is no leader for this topic-partition as we are in the middle of a leadership election',
      },
      'DEBUG',
    ],
    ['Connection', { message: 'Response Produce(key: 0, version: 7)', error: 'The request timed out' }, 'WARN'],
    ['Consumer', { message: 'Restarting the consumer in 300ms', retryCount: 8, retryTime: 300, groupId: 'g' }, 'WARN'],
    [
      'Consumer',
      {
        message: "Crash: KafkaJSNumberOfRetriesExceeded: The coordinator is loading and hence can't process requests for this group",
        retryCount: 8,
      },
      'WARN',
    ],
    ['Runner', { message: 'The coordinator is not aware of this member, re-joining the group', groupId: 'g' }, 'WARN'],
    [
      'Producer',
      { message: 'Failed to send messages: This server is not the leader for that topic-partition', retryCount: 0, retryTime: 50 },
      'WARN',
    ],
    [
      'BrokerPool',
      {
        message:
          'Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED 127.0.0.1:9092',
        retryCount: 1,
        retryTime: 100,
      },
      'WARN',
    ],
    // A broker killed or restarting: each connection attempt of every client says so.
    ['Connection', { message: 'Connection error: connect ECONNREFUSED 127.0.0.1:29093' }, 'WARN'],
    ['Connection', { message: 'Connection error: read ECONNRESET' }, 'WARN'],
    ['Connection', { message: 'Connection timeout' }, 'WARN'],
  ])('lowers %s %j to %s', (namespace, log, expected) => {
    expect(at(namespace, logLevel.ERROR, log)).toBe(expected);
  });

  // What an operator must act on: the operation failed for good, or the error is not a retried one.
  it.each([
    [
      'Connection',
      { message: 'Response SaslAuthenticate(key: 36, version: 1)', error: 'Request is not valid given the current SASL state' },
    ],
    [
      'Connection',
      {
        message: 'Response Produce(key: 0, version: 7)',
        error: 'The request included a message larger than the max message size the server will accept',
      },
    ],
    ['Consumer', { message: 'Crash: KafkaJSNonRetriableError: Topic authorization failed', retryCount: 0 }],
    ['Consumer', { message: 'Error when calling eachBatch', error: 'boom' }],
    [
      'Producer',
      {
        message: 'Failed to send messages: The request included a message larger than the max message size the server will accept',
        retryCount: 0,
      },
    ],
    ['Connection', { message: 'Connection error: self-signed certificate in certificate chain' }],
  ])('keeps %s %j at ERROR', (namespace, log) => {
    expect(at(namespace, logLevel.ERROR, log)).toBe('ERROR');
  });

  it.each([logLevel.WARN, logLevel.INFO, logLevel.DEBUG])('leaves level %s as it is', (level) => {
    expect(
      kafkaLogLevel({
        namespace: 'Connection',
        level,
        log: { timestamp: 't', logger: 'kafkajs', message: 'Response Metadata', error: 'The request timed out' },
      }),
    ).toBe(level);
  });

  it('routes a lowered entry to the lower level', () => {
    const logger = recordingLogger();
    kafkaLogCreator(logger)(logLevel.DEBUG)(entry(logLevel.ERROR, { message: 'Restarting the consumer in 300ms', retryTime: 300 }));
    expect(logger.calls.map(([level]) => level)).toEqual(['warn']);
  });

  it('knows the routine errors by the very texts KafkaJS writes', () => {
    // KafkaJS's own table of protocol errors: a text that drifts in an upgrade fails here.
    const { errorCodes } = require('kafkajs/src/protocol/error') as { errorCodes: { message: string }[] };
    const texts = new Set(errorCodes.map((e) => e.message));
    expect(ROUTINE_BROKER_ERRORS.filter((text) => !texts.has(text))).toEqual([]);
  });
});
