import { saneCorrelationId } from './correlation-id';
import { TraceContext, TraceIdSource, continueTrace, formatTraceparent, parseTraceparent, randomTraceIds } from './trace-context';

/** Header names on Kafka messages (asyncapi.yaml, EventEnvelope). */
export const CORRELATION_ID_HEADER = 'correlationId';
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

/** KafkaJS's IHeaders, without importing kafkajs into this library. */
export type KafkaHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** What a message carries about where it came from. */
export interface TraceInfo {
  correlationId?: string;
  trace: TraceContext | null;
  /** Vendor trace state, passed on unchanged when a traceparent is. */
  tracestate?: string;
}

/** A header's value as a string: the first when repeated, undefined when absent. */
export function headerString(headers: KafkaHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) return undefined;
  return Buffer.isBuffer(first) ? first.toString('utf8') : first;
}

/** Reads correlation id and trace context from a consumed message; invalid values are dropped. */
export function readTraceHeaders(headers: KafkaHeaders | undefined): TraceInfo {
  const trace = parseTraceparent(headerString(headers, TRACEPARENT_HEADER));
  const tracestate = trace ? headerString(headers, TRACESTATE_HEADER) : undefined;
  return {
    correlationId: saneCorrelationId(headerString(headers, CORRELATION_ID_HEADER)),
    trace,
    ...(tracestate ? { tracestate } : {}),
  };
}

/** Headers for a message to produce: correlationId, and traceparent (+ tracestate) when traced. */
export function traceHeaders(info: TraceInfo): Record<string, string> {
  const headers: Record<string, string> = {};
  if (info.correlationId) headers[CORRELATION_ID_HEADER] = info.correlationId;
  if (info.trace) {
    headers[TRACEPARENT_HEADER] = formatTraceparent(info.trace);
    if (info.tracestate) headers[TRACESTATE_HEADER] = info.tracestate;
  }
  return headers;
}

/**
 * The trace info of work caused by `incoming`: the same correlation id (or `fallbackCorrelationId`,
 * e.g. the command id, when the message had none) and the next span of its trace (or a new trace).
 */
export function propagateTrace(incoming: TraceInfo, fallbackCorrelationId: string, ids: TraceIdSource = randomTraceIds): TraceInfo {
  return {
    correlationId: incoming.correlationId ?? fallbackCorrelationId,
    trace: continueTrace(incoming.trace, ids),
    ...(incoming.trace && incoming.tracestate ? { tracestate: incoming.tracestate } : {}),
  };
}

/** Consumed headers in, produced headers out: the usual one-liner for a consume-transform-produce. */
export function propagateKafkaHeaders(
  incoming: KafkaHeaders | undefined,
  fallbackCorrelationId: string,
  ids: TraceIdSource = randomTraceIds,
): Record<string, string> {
  return traceHeaders(propagateTrace(readTraceHeaders(incoming), fallbackCorrelationId, ids));
}
