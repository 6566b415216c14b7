import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { transpileModule, ModuleKind } from 'typescript';
import { encodeProduceRequest, encodeRecord, ProduceEncodingTools, ProduceRequest } from './record-encoding';

// KafkaJS's own encoder: the reference for every byte.
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (record: object) => { buffer: Buffer };

const uuid = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const records: [string, Parameters<typeof encodeRecord>[0]][] = [
  [
    'an event with its headers',
    {
      offsetDelta: 7,
      timestampDelta: 0,
      key: uuid,
      value: `{"type":"CheckRecorded","id":"${uuid}"}`,
      headers: { type: 'CheckRecorded', schemaVersion: '1', eventId: uuid, correlationId: uuid },
    },
  ],
  ['no key, no headers', { offsetDelta: 0, timestampDelta: 0, key: null, value: 'v' }],
  [
    'buffers and multi-byte text',
    {
      offsetDelta: 300,
      timestampDelta: 12345,
      key: Buffer.from([0, 255, 7]),
      value: 'é€😀'.repeat(50),
      headers: { reason: Buffer.from('x') },
    },
  ],
  ['a negative timestamp delta, a null value', { offsetDelta: 64, timestampDelta: -70000, key: 'k', value: null, headers: { a: 'b' } }],
  [
    'a repeated header',
    { offsetDelta: 999, timestampDelta: 2 ** 40, key: 'k', value: 'x'.repeat(20000), headers: { h: ['one', 'two'], g: '' } },
  ],
  [
    'lengths across varint boundaries',
    { offsetDelta: 63, timestampDelta: 8191, key: 'k'.repeat(63), value: 'v'.repeat(8192), headers: { ['n'.repeat(64)]: 'w'.repeat(127) } },
  ],
];

describe('encodeRecord', () => {
  it.each(records)('writes the bytes KafkaJS writes: %s', (_name, record) => {
    expect(encodeRecord(record)).toEqual(kafkajsRecord(record).buffer);
  });

  it('leaves to KafkaJS what it does not encode itself', () => {
    expect(encodeRecord({ key: 'k', value: 'v', timestampDelta: { high: 0, low: 1 } })).toBeUndefined();
    expect(encodeRecord({ key: 'k', value: 'v', headers: { n: 1 as unknown as string } })).toBeUndefined();
    expect(encodeRecord({ key: 'k', value: 'v', headers: { n: undefined } })).toBeUndefined();
    expect(encodeRecord({ key: 'k', value: 'v', headers: { n: null } })).toBeUndefined();
  });
});

// KafkaJS's own produce request, its CRC-32C and Long: the reference for every byte of a request.
const kafkajsProduce = require('kafkajs/src/protocol/requests/produce/v3/request') as (request: ProduceRequest) => {
  encode(): Promise<{ buffer: Buffer }>;
};
const Long = require('kafkajs/src/utils/long') as { fromValue(value: unknown): { getHighBits(): number; getLowBits(): number } };
const tools: ProduceEncodingTools = {
  crc32c: require('kafkajs/src/protocol/recordBatch/crc32C') as (bytes: Buffer) => number,
  int64: (value) => [Long.fromValue(value).getHighBits(), Long.fromValue(value).getLowBits()],
};
const NOW = 1_764_806_400_123;

const event = (i: number) => ({
  key: uuid,
  value: `{"type":"CheckRecorded","n":${i},"text":"${'é€'.repeat(i % 7)}"}`,
  headers: { type: 'CheckRecorded', schemaVersion: '1', eventId: uuid, correlationId: uuid },
});
const requests: [string, ProduceRequest][] = [
  [
    'a transaction over two topics and three partitions',
    {
      acks: -1,
      timeout: 30000,
      transactionalId: 'vinsight-processor-7',
      producerId: Long.fromValue(4_000_000_123),
      producerEpoch: 3,
      topicData: [
        {
          topic: 'vinsight.monitor-events',
          partitions: [
            { partition: 0, firstSequence: 17, messages: Array.from({ length: 300 }, (_, i) => event(i)) },
            { partition: 11, firstSequence: 2_000_000_000, messages: [event(1)] },
          ],
        },
        { topic: 'vinsight.command-results', partitions: [{ partition: 4, messages: [{ key: null, value: 'x'.repeat(70000) }] }] },
      ],
    },
  ],
  [
    'an idempotent producer with no transaction',
    {
      acks: 1,
      timeout: 5000,
      topicData: [{ topic: 't', partitions: [{ partition: 2, messages: [{ key: 'k', value: Buffer.from([1, 2]) }] }] }],
    },
  ],
  [
    'buffers, repeated and empty headers',
    {
      acks: 0,
      timeout: 1,
      transactionalId: null,
      topicData: [{ topic: 'ü', partitions: [{ partition: 0, messages: [records[1][1], records[2][1], records[4][1]] }] }],
    },
  ],
  ['no topics', { acks: -1, timeout: 30000, transactionalId: 'x', producerId: 5, producerEpoch: 1, topicData: [] }],
];

describe('encodeProduceRequest', () => {
  afterEach(() => jest.restoreAllMocks());

  it.each(requests)('writes the bytes KafkaJS writes: %s', async (_name, request) => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
    const reference = (await kafkajsProduce(request).encode()).buffer;
    expect(encodeProduceRequest(request, NOW, tools)).toEqual(reference);
  });

  it('leaves to KafkaJS what it does not encode itself', () => {
    const topicData = (message: object) => [
      { topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', ...message }] }] },
    ];
    expect(encodeProduceRequest({ acks: -1, timeout: 1, compression: 1, topicData: topicData({}) }, NOW, tools)).toBeUndefined();
    expect(
      encodeProduceRequest({ acks: -1, timeout: 1, topicData: topicData({ timestamp: '1700000000000' }) }, NOW, tools),
    ).toBeUndefined();
    expect(encodeProduceRequest({ acks: -1, timeout: 1, topicData: topicData({ headers: { n: 1 } }) }, NOW, tools)).toBeUndefined();
    expect(encodeProduceRequest({ acks: -1, timeout: 1, topicData: topicData({}) }, NOW, tools)).toBeInstanceOf(Buffer);
  });
});

describe('installRecordEncoding', () => {
  // Jest's module registry ignores require.cache, so the installation is checked in plain Node.
  it('replaces the record encoder of the produce request, and every record it writes is the one KafkaJS would write', () => {
    const source = readFileSync(join(__dirname, 'record-encoding.ts'), 'utf8');
    const compiled = transpileModule(source, { compilerOptions: { module: ModuleKind.CommonJS } }).outputText;
    const kafkajs = dirname(require.resolve('kafkajs/package.json'));
    const script = `
      const m = { exports: {} };
      new Function('module', 'exports', 'require', ${JSON.stringify(compiled)})(m, m.exports, require);
      const original = require('kafkajs/src/protocol/recordBatch/record/v0');
      const installed = m.exports.installRecordEncoding();
      const record = { offsetDelta: 3, timestampDelta: 5, key: 'k', value: 'v'.repeat(900), headers: { a: 'b', c: 'd' } };
      const patched = require('kafkajs/src/protocol/recordBatch/record/v0');
      const Encoder = require('kafkajs/src/protocol/encoder');
      const grown = new Encoder().writeBuffer(Buffer.alloc(3000, 1)).writeInt8(2).buffer;
      // An encoder written by two others: the first takes the room before it, the second copies it.
      const smallRequest = require('kafkajs/src/protocol/requests/produce/v3/request')({
        acks: -1, timeout: 1000, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v' }] }] }],
      });
      const writtenTwice = (body) => {
        const first = new Encoder().writeInt32(7).writeEncoder(body);
        const second = new Encoder().writeInt16(9).writeEncoder(body);
        return first.buffer.readInt32BE(0) === 7 && second.buffer.readInt16BE(0) === 9 &&
          first.buffer.subarray(4).equals(body.buffer) && second.buffer.subarray(2).equals(body.buffer) &&
          first.buf.buffer === body.buf.buffer && second.buf.buffer !== body.buf.buffer;
      };
      smallRequest.encode().then((body) => process.stdout.write(JSON.stringify({
        installed,
        replaced: patched !== original,
        same: patched(record).buffer.equals(original(record).buffer),
        grown: grown.length === 3001 && grown[2999] === 1 && grown[3000] === 2,
        writtenTwice: writtenTwice(body),
        again: m.exports.installRecordEncoding(),
      })));`;
    // The produce request KafkaJS's v4 (which reuses v3) encodes, with and without the installation, in two processes.
    const produce = (install: boolean) => `
      const m = { exports: {} };
      new Function('module', 'exports', 'require', ${JSON.stringify(compiled)})(m, m.exports, require);
      ${install ? 'm.exports.installRecordEncoding();' : ''}
      Date.now = () => ${NOW};
      const Long = require('kafkajs/src/utils/long');
      const request = require('kafkajs/src/protocol/requests/produce/v4/request')({
        acks: -1, timeout: 30000, transactionalId: 'tx', producerId: Long.fromValue(77), producerEpoch: 2,
        topicData: [{ topic: 't', partitions: [{ partition: 3, firstSequence: 9, messages: [{ key: 'k', value: 'v'.repeat(900), headers: { a: 'b' } }, { key: null, value: 'w' }] }] }],
      });
      const encode = request.encode;
      let body;
      request.encode = async () => (body = await encode());
      // Framed by KafkaJS as its connection sends it: the header, and the size before both.
      require('kafkajs/src/protocol/request')({ correlationId: 12, clientId: 'client-1', request }).then((framed) =>
        process.stdout.write(JSON.stringify({
          apiVersion: request.apiVersion,
          hex: framed.buffer.toString('hex'),
          bodyHex: body.buffer.toString('hex'),
          bodyCopied: framed.buffer.buffer !== body.buf.buffer,
        })));`;
    const run = (source: string) =>
      JSON.parse(
        execFileSync(process.execPath, ['-e', source], { env: { ...process.env, NODE_PATH: dirname(kafkajs) }, encoding: 'utf8' }),
      );
    expect(run(script)).toEqual({ installed: true, replaced: true, same: true, grown: true, writtenTwice: true, again: true });
    const installed = run(produce(true));
    const kafkajsOwn = run(produce(false));
    expect(installed).toEqual({ ...kafkajsOwn, bodyCopied: false });
    expect(kafkajsOwn.bodyCopied).toBe(true);
    expect(installed.hex.endsWith(installed.bodyHex)).toBe(true);
    expect(installed.apiVersion).toBe(4);
  });
});
