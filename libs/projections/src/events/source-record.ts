import type { IHeaders, KafkaMessage } from 'kafkajs';

/** One Kafka record as the projector received it; kept whole so it can be parked as it was. */
export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders;
}

/**
 * A fetched message as a SourceRecord, its headers left in the message until asked for: only a
 * parked record's are ever read, and the client decodes them on demand (record-decoding.ts), so a
 * record waiting for its batch keeps no header objects alive.
 */
export class FetchedSourceRecord implements SourceRecord {
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly #message: KafkaMessage;

  constructor(
    readonly topic: string,
    readonly partition: number,
    message: KafkaMessage,
  ) {
    this.offset = BigInt(message.offset);
    this.key = message.key;
    this.value = message.value;
    this.#message = message;
  }

  get headers(): IHeaders | undefined {
    return this.#message.headers;
  }
}

/** `topic[partition]@offset`, the way logs and parked events name a record. */
export const describeRecord = (record: Pick<SourceRecord, 'topic' | 'partition' | 'offset'>): string =>
  `${record.topic}[${record.partition}]@${record.offset}`;

/** Kafka header values as text (binary values are kept as base64, marked so). */
export function headersAsText(headers: IHeaders | undefined): Record<string, string | string[]> {
  const text: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const one = (item: Buffer | string): string => (typeof item === 'string' ? item : item.toString('utf8'));
    text[name] = Array.isArray(value) ? value.map(one) : one(value);
  }
  return text;
}
