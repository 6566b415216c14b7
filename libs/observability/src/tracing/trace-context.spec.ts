import { childOf, continueTrace, formatTraceparent, newTrace, parseTraceparent, TraceIdSource } from './trace-context';

/** Deterministic ids: a counter in the last hex digits. */
function sequentialIds(): TraceIdSource {
  let n = 0;
  return {
    traceId: () => (++n).toString(16).padStart(32, '0'),
    spanId: () => (++n).toString(16).padStart(16, '0'),
  };
}

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('traceparent', () => {
  it('parses the W3C example and formats it back unchanged', () => {
    const context = parseTraceparent(VALID);
    expect(context).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: 1 });
    expect(formatTraceparent(context!)).toBe(VALID);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['upper case hex', VALID.toUpperCase()],
    ['version ff', VALID.replace(/^00/, 'ff')],
    ['all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['all-zero span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['extra field on version 00', `${VALID}-extra`],
    ['garbage', 'hello'],
  ])('rejects %s', (_name, value) => {
    expect(parseTraceparent(value)).toBeNull();
  });

  it('accepts a later version with extra fields, ignoring them', () => {
    expect(parseTraceparent(`01-${VALID.slice(3)}-future`)).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
  });

  it('continues a trace with a new span, or starts one', () => {
    const ids = sequentialIds();
    const parent = parseTraceparent(VALID)!;
    expect(childOf(parent, ids)).toEqual({ traceId: parent.traceId, spanId: '0000000000000001', flags: 1 });
    expect(continueTrace(null, ids)).toEqual({ traceId: '00000000000000000000000000000002', spanId: '0000000000000003', flags: 1 });
  });

  it('makes random ids that are valid and distinct', () => {
    const a = newTrace();
    const b = newTrace();
    expect(parseTraceparent(formatTraceparent(a))).toEqual(a);
    expect(a.traceId).not.toBe(b.traceId);
  });
});
