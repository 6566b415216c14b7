import { isDatabaseUnavailable } from './connection-errors';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

/** The shape Prisma 7 gives a driver adapter's error (seen with @prisma/adapter-pg 7.10 against a stopped server). */
const prismaError = (code: string, cause: Record<string, unknown>) =>
  Object.assign(new Error('prisma'), { code, meta: { driverAdapterError: { name: 'DriverAdapterError', cause } } });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a reset socket', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a stopping server (57P01)', withCode('terminating connection due to administrator command', '57P01')],
    ['a starting server (57P03)', withCode('the database system is starting up', '57P03')],
    ['a connection exception (class 08)', withCode('connection failure', '08006')],
    ['no connection slot left', withCode('sorry, too many clients already', '53300')],
    ['a connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['a connect timeout', new Error('Connection terminated due to connection timeout')],
    ['a pool without a free connection in time', new Error('timeout exceeded when trying to connect')],
    ['a client broken by an earlier error', new Error('Client has encountered a connection error and is not queryable')],
    ['both addresses refused', new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], '')],
    ['an error caused by one', new Error('lookup failed', { cause: withCode('x', 'ECONNREFUSED') })],
    ['Prisma: server unreachable', prismaError('P1001', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 })],
    ['Prisma: server closed the connection', prismaError('P1017', { kind: 'ConnectionClosed' })],
    ['Prisma: a stopping server', prismaError('P2039', { kind: 'postgres', code: '57P01', message: 'terminating connection' })],
  ])('recognises %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('duplicate key', '23505')],
    ['a missing table', withCode('relation "x" does not exist', '42P01')],
    ['a statement timeout (the query, not the server)', withCode('canceling statement due to statement timeout', '57014')],
    ['a wrong password', withCode('password authentication failed', '28P01')],
    ['a programming error', new TypeError('x is undefined')],
    ['Prisma: a refused value', prismaError('P2039', { kind: 'postgres', code: '22P02', message: 'invalid input syntax' })],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('leaves alone %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('stops following causes after a few levels (a cycle cannot loop)', () => {
    const cyclic: Error & { cause?: unknown } = new Error('outer');
    cyclic.cause = cyclic;
    expect(isDatabaseUnavailable(cyclic)).toBe(false);
  });
});
