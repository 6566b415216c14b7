import { crc32c } from './crc32c';

// KafkaJS's own CRC-32C, one byte a step: the reference.
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C') as (bytes: Buffer) => number;

/** Deterministic bytes (a linear congruential generator), so a failure can be replayed. */
function bytesOf(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

describe('crc32c', () => {
  it('gives the check value of CRC-32C', () => {
    expect(crc32c(Buffer.from('123456789', 'ascii'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it("agrees with KafkaJS's on every length up to 300 bytes and on views that start mid-buffer", () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = bytesOf(length + 11, length).subarray(length % 11, (length % 11) + length);
      expect(crc32c(bytes)).toBe(kafkajsCrc32c(bytes));
    }
  });

  it("agrees with KafkaJS's on a transaction-sized request and on bytes of every value", () => {
    const large = bytesOf(700_001, 7);
    expect(crc32c(large)).toBe(kafkajsCrc32c(large));
    const everyValue = Buffer.from(Array.from({ length: 4096 }, (_, i) => 255 - (i % 256)));
    expect(crc32c(everyValue)).toBe(kafkajsCrc32c(everyValue));
  });
});
