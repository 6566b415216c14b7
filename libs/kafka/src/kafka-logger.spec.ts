import { logLevel } from 'kafkajs';
import pino from 'pino';
import { KafkaLogger, kafkaLogCreator } from './kafka-logger';

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
    const destination = { lines: [] as string[], write(line: string) { this.lines.push(line); } };
    const logger: KafkaLogger = pino({ level: 'debug', base: undefined, timestamp: false }, destination);
    kafkaLogCreator(logger)(logLevel.INFO)(entry(logLevel.ERROR, { broker: '127.0.0.1:9092' }));
    expect(destination.lines.map((line) => JSON.parse(line))).toEqual([
      { level: 50, kafkajs: 'Consumer', broker: '127.0.0.1:9092', msg: 'hello' },
    ]);
  });
});
