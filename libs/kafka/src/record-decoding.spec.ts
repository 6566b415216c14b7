import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ModuleKind, transpileModule } from 'typescript';
import { recordDecoder } from './record-decoding';

// KafkaJS's own encoder, decoder and record decoder: the reference.
type Encoded = { buffer: Buffer };
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (record: object) => Encoded;
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => { offset: number; readVarIntBytes(): Buffer };
const kafkajsDecode = require('kafkajs/src/protocol/recordBatch/record/v0/decoder') as (decoder: never, context?: object) => unknown;
const decode = recordDecoder(kafkajsDecode as never);

const uuid = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const context = (overrides: object = {}) => ({
  firstOffset: '41250',
  firstTimestamp: '1767225600000',
  maxTimestamp: '1767225600900',
  magicByte: 2,
  isControlBatch: false,
  timestampType: 0,
  ...overrides,
});
const records: [string, object, object][] = [
  [
    'an event with four headers',
    {
      offsetDelta: 7,
      timestampDelta: 35,
      key: uuid,
      value: '{"a":1}',
      headers: { type: 'CheckRecorded', schemaVersion: '2', eventId: uuid, correlationId: uuid },
    },
    context(),
  ],
  ['no key, no value, no headers', { offsetDelta: 0, timestampDelta: 0, key: null, value: null }, context()],
  [
    'a repeated header, three times',
    { offsetDelta: 300, timestampDelta: -5, key: 'k', value: 'v', headers: { h: ['one', 'two', 'three'], g: '' } },
    context(),
  ],
  ['log append time', { offsetDelta: 1, timestampDelta: 3, key: 'k', value: 'v' }, context({ timestampType: 1 })],
  ['a control batch', { offsetDelta: 1, timestampDelta: 3, key: 'k', value: 'v' }, context({ isControlBatch: true })],
  [
    'bases past 2^53',
    { offsetDelta: 9, timestampDelta: 3, key: 'k', value: 'v', headers: { a: 'b' } },
    context({ firstOffset: '9007199254740993' }),
  ],
  ['a large negative timestamp delta (seven bytes)', { offsetDelta: 4, timestampDelta: -(2 ** 47), key: 'k', value: 'v' }, context()],
  ['a timestamp delta past 49 bits', { offsetDelta: 4, timestampDelta: 2 ** 50 + 3, key: 'k', value: 'v' }, context()],
  [
    'a header named __proto__',
    { offsetDelta: 2, timestampDelta: 3, key: 'k', value: 'v', headers: JSON.parse('{"__proto__":"x","b":"y"}') as object },
    context(),
  ],
];

describe('recordDecoder', () => {
  it.each(records)('reads the record KafkaJS reads: %s', (_name, record, batch) => {
    // As the batch decoder hands it over: the record without its length prefix.
    const bytes = new Decoder(encodeRecord(record).buffer).readVarIntBytes();
    const expected = kafkajsDecode(new Decoder(bytes) as never, batch);
    const reader = new Decoder(bytes);
    const decoded = decode(reader as never, batch) as { headers: unknown };
    // Its headers are a getter: compared as the field KafkaJS's record has.
    expect({ ...decoded, headers: decoded.headers }).toEqual(expected);
    expect(reader.offset).toBe(bytes.length);
  });

  it('leaves a record whose header count runs past its bytes to KafkaJS, which answers as it would', () => {
    const bytes = new Decoder(encodeRecord(records[0][1]).buffer).readVarIntBytes();
    // The header count is the record's last varint before its headers: claim 1,000 headers instead of 4.
    const countAt = bytes.indexOf(Buffer.from([0x08, 0x08, 0x74, 0x79, 0x70, 0x65]));
    const corrupt = Buffer.concat([bytes.subarray(0, countAt), Buffer.from([0xd0, 0x0f]), bytes.subarray(countAt + 1)]);
    const answer = (read: () => unknown) => {
      try {
        return { value: read() };
      } catch (error) {
        return { error: (error as Error).message };
      }
    };
    const expected = answer(() => kafkajsDecode(new Decoder(corrupt) as never, context()));
    const actual = answer(() => decode(new Decoder(corrupt) as never, context()));
    expect(actual).toEqual(expected);
  });

  it('reads records one after another from one buffer, each keeping its own headers', () => {
    const encoded = records.slice(0, 3).map(([, record]) => new Decoder(encodeRecord(record).buffer).readVarIntBytes());
    const expected = encoded.map((bytes) => kafkajsDecode(new Decoder(bytes) as never, context()) as { headers: unknown });
    const decoded = encoded.map((bytes) => decode(new Decoder(bytes) as never, context()) as { headers: unknown });
    // Read after all were decoded, in reverse: each record reads its own bytes.
    for (let i = decoded.length - 1; i >= 0; i--) expect(decoded[i].headers).toEqual(expected[i].headers);
    expect(decoded[0].headers).toBe(decoded[0].headers);
  });
});

describe('installRecordDecoding', () => {
  // Jest's module registry ignores require.cache, so the installation is checked in plain Node.
  it('replaces the record decoder of the record batch decoder', () => {
    const source = readFileSync(join(__dirname, 'record-decoding.ts'), 'utf8');
    const compiled = transpileModule(source, { compilerOptions: { module: ModuleKind.CommonJS } }).outputText;
    const kafkajs = dirname(require.resolve('kafkajs/package.json'));
    const script = `
      const m = { exports: {} };
      new Function('module', 'exports', 'require', ${JSON.stringify(compiled)})(m, m.exports, require);
      const original = require('kafkajs/src/protocol/recordBatch/record/v0/decoder');
      const installed = m.exports.installRecordDecoding();
      const patched = require('kafkajs/src/protocol/recordBatch/record/v0/decoder');
      process.stdout.write(JSON.stringify({ installed, replaced: patched !== original, again: m.exports.installRecordDecoding() }));`;
    const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, NODE_PATH: dirname(kafkajs) }, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ installed: true, replaced: true, again: true });
  });
});
