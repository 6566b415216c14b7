import { randomBytes } from 'node:crypto';

/** A W3C Trace Context position: https://www.w3.org/TR/trace-context/#traceparent-header */
export interface TraceContext {
  /** 32 lowercase hex digits, never all zeros. */
  traceId: string;
  /** 16 lowercase hex digits: the span that sent the message or request. */
  spanId: string;
  /** Trace flags; bit 0 is "sampled". */
  flags: number;
}

/** Where new trace and span ids come from; tests pass a deterministic one. */
export interface TraceIdSource {
  traceId(): string;
  spanId(): string;
}

export const randomTraceIds: TraceIdSource = {
  traceId: () => nonZeroHex(16),
  spanId: () => nonZeroHex(8),
};

function nonZeroHex(bytes: number): string {
  for (;;) {
    const value = randomBytes(bytes).toString('hex');
    if (!/^0+$/.test(value)) return value;
  }
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZEROS = /^0+$/;

/**
 * Parses a `traceparent` value; null when absent or invalid (the spec says to start a new trace
 * then, never to fail the request). Version 00 allows nothing after the flags; later versions
 * may append fields, which are ignored.
 */
export function parseTraceparent(value: string | undefined | null): TraceContext | null {
  if (!value) return null;
  const match = TRACEPARENT.exec(value.trim());
  if (!match) return null;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === 'ff') return null;
  if (version === '00' && rest !== undefined) return null;
  if (ALL_ZEROS.test(traceId) || ALL_ZEROS.test(spanId)) return null;
  return { traceId, spanId, flags: parseInt(flags, 16) };
}

export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.flags.toString(16).padStart(2, '0')}`;
}

/** A new trace: what a process does when the work it starts came without a traceparent. */
export function newTrace(ids: TraceIdSource = randomTraceIds, sampled = true): TraceContext {
  return { traceId: ids.traceId(), spanId: ids.spanId(), flags: sampled ? 1 : 0 };
}

/** The next hop of the same trace: same trace id and flags, a new span id. */
export function childOf(parent: TraceContext, ids: TraceIdSource = randomTraceIds): TraceContext {
  return { traceId: parent.traceId, spanId: ids.spanId(), flags: parent.flags };
}

/** Continues `parent` when there is one, else starts a trace. */
export function continueTrace(parent: TraceContext | null, ids: TraceIdSource = randomTraceIds): TraceContext {
  return parent ? childOf(parent, ids) : newTrace(ids);
}
