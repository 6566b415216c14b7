import { AsyncLocalStorage } from 'node:async_hooks';
import { TraceInfo } from './kafka-trace-headers';

const storage = new AsyncLocalStorage<TraceInfo>();

/**
 * Runs `work` with `info` as the current trace, so every log line written inside it carries the
 * correlation and trace ids (LoggingModule's mixin reads it) without passing them around.
 */
export function runInTraceScope<T>(info: TraceInfo, work: () => T): T {
  return storage.run(info, work);
}

export function currentTrace(): TraceInfo | undefined {
  return storage.getStore();
}

/** The fields a log line gets from the current trace scope (none outside one). */
export function traceLogFields(): Record<string, string> {
  const info = storage.getStore();
  if (!info) return {};
  return {
    ...(info.correlationId ? { correlationId: info.correlationId } : {}),
    ...(info.trace ? { traceId: info.trace.traceId, spanId: info.trace.spanId } : {}),
  };
}
