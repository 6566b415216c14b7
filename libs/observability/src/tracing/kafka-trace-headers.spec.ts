import { propagateKafkaHeaders, readTraceHeaders, traceHeaders } from './kafka-trace-headers';
import { runInTraceScope, traceLogFields } from './trace-scope';
import { TraceIdSource } from './trace-context';

const ids: TraceIdSource = { traceId: () => 'a'.repeat(32), spanId: () => 'b'.repeat(16) };
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('Kafka trace headers', () => {
  it('reads correlation id and trace from Buffer headers, as KafkaJS delivers them', () => {
    const info = readTraceHeaders({
      correlationId: Buffer.from('corr-1'),
      traceparent: Buffer.from(TRACEPARENT),
      tracestate: Buffer.from('vendor=x'),
      type: Buffer.from('MonitorCreated'),
    });
    expect(info).toEqual({
      correlationId: 'corr-1',
      trace: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: 1 },
      tracestate: 'vendor=x',
    });
  });

  it('drops an invalid traceparent (and its tracestate) and an unsafe correlation id', () => {
    expect(readTraceHeaders({ correlationId: 'a b\n', traceparent: 'nope', tracestate: 'vendor=x' })).toEqual({
      correlationId: undefined,
      trace: null,
    });
    expect(readTraceHeaders(undefined)).toEqual({ correlationId: undefined, trace: null });
  });

  it('takes the first of repeated headers', () => {
    expect(readTraceHeaders({ correlationId: ['first', 'second'] }).correlationId).toBe('first');
  });

  it('propagates: same trace and correlation id, a new span, tracestate kept', () => {
    const outgoing = propagateKafkaHeaders(
      { correlationId: 'corr-1', traceparent: TRACEPARENT, tracestate: 'vendor=x' },
      'command-id',
      ids,
    );
    expect(outgoing).toEqual({
      correlationId: 'corr-1',
      traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-${'b'.repeat(16)}-01`,
      tracestate: 'vendor=x',
    });
  });

  it('falls back to the given correlation id and starts a trace when the message had neither', () => {
    expect(propagateKafkaHeaders({}, 'command-id', ids)).toEqual({
      correlationId: 'command-id',
      traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
    });
  });

  it('builds no trace headers without a trace', () => {
    expect(traceHeaders({ correlationId: 'c', trace: null, tracestate: 'ignored' })).toEqual({ correlationId: 'c' });
  });

  it('gives log lines the ids of the current scope only', () => {
    const info = readTraceHeaders({ correlationId: 'corr-1', traceparent: TRACEPARENT });
    expect(runInTraceScope(info, () => traceLogFields())).toEqual({
      correlationId: 'corr-1',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
    });
    expect(traceLogFields()).toEqual({});
  });
});
