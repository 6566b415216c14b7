import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { transpileModule, ModuleKind } from 'typescript';
import { encodeRecord } from './record-encoding';

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
      process.stdout.write(JSON.stringify({
        installed,
        replaced: patched !== original,
        same: patched(record).buffer.equals(original(record).buffer),
        grown: grown.length === 3001 && grown[2999] === 1 && grown[3000] === 2,
        again: m.exports.installRecordEncoding(),
      }));`;
    const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, NODE_PATH: dirname(kafkajs) }, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ installed: true, replaced: true, same: true, grown: true, again: true });
  });
});
