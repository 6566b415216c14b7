/** Bytes as text when they are valid UTF-8 (readable by operators), else base64 (lossless). */
export interface EncodedBytes {
  readonly encoding: 'utf8' | 'base64';
  readonly data: string;
}

export interface DeadLetterHeader {
  readonly key: string;
  readonly value: EncodedBytes | null;
}

/** asyncapi.yaml, CommandResult: what `commands.dlq` keeps of a message that has no usable envelope. */
export interface DeadLetter {
  readonly key: EncodedBytes | null;
  /** The original value, always base64 so that any bytes survive. */
  readonly value: string | null;
  /** A list rather than a map: Kafka allows a header key more than once. */
  readonly headers: readonly DeadLetterHeader[];
  readonly sourceTopic: string;
  readonly partition: number;
  /** Kafka offsets are 64-bit: kept as the string KafkaJS gives. */
  readonly offset: string;
  readonly reason: string;
  readonly failedAt: string;
}

type HeaderValue = Buffer | string | undefined | null;

export interface DeadLetterInput {
  readonly key: Buffer | string | null;
  readonly value: Buffer | null;
  /** KafkaJS's `IHeaders` shape. */
  readonly headers?: Readonly<Record<string, HeaderValue | readonly HeaderValue[]>>;
  readonly sourceTopic: string;
  readonly partition: number;
  readonly offset: string;
  readonly reason: string;
  readonly failedAt: Date;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function encodeBytes(bytes: Buffer | string): EncodedBytes {
  if (typeof bytes === 'string') return { encoding: 'utf8', data: bytes };
  try {
    return { encoding: 'utf8', data: utf8.decode(bytes) };
  } catch {
    return { encoding: 'base64', data: bytes.toString('base64') };
  }
}

export function toDeadLetter(input: DeadLetterInput): DeadLetter {
  const headers: DeadLetterHeader[] = [];
  for (const [key, raw] of Object.entries(input.headers ?? {})) {
    const values: readonly HeaderValue[] = Array.isArray(raw) ? raw : [raw as HeaderValue];
    for (const value of values) headers.push({ key, value: value === undefined || value === null ? null : encodeBytes(value) });
  }
  return {
    key: input.key === null ? null : encodeBytes(input.key),
    value: input.value === null ? null : input.value.toString('base64'),
    headers,
    sourceTopic: input.sourceTopic,
    partition: input.partition,
    offset: input.offset,
    reason: input.reason,
    failedAt: input.failedAt.toISOString(),
  };
}
