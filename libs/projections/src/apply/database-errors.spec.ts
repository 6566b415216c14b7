import { classifyFailure } from './database-errors';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe('classifyFailure', () => {
  it.each(['40P01', '40001', '08006', '57014', '57P01', '53300', '55P03'])(
    'retries %s (deadlock, connection, timeout, shutdown...)',
    (code) => {
      expect(classifyFailure(pgError(code))).toBe('transient');
    },
  );

  it.each(['23505', '23514', '22P02', '22001'])('isolates and parks the events behind %s (refused data)', (code) => {
    expect(classifyFailure(pgError(code))).toBe('poison');
  });

  it.each(['42P01', '42501', 'XX000'])('stops on %s (a schema, permission or internal problem)', (code) => {
    expect(classifyFailure(pgError(code))).toBe('fatal');
  });

  it('retries lost connections reported by node and pg', () => {
    expect(classifyFailure(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe('transient');
    expect(classifyFailure(new Error('Connection terminated unexpectedly'))).toBe('transient');
  });

  it('stops on programming errors', () => {
    expect(classifyFailure(new TypeError('x is undefined'))).toBe('fatal');
  });
});
