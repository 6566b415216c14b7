import { freePort, Role, roleEnvironment, ServiceProcess } from '../e2e/service-process';
import { recordShutdownFigures } from './support/shutdown-report';

/**
 * SIGTERM while requests keep coming: readiness turns 503 at once, the process keeps answering
 * for SHUTDOWN_DRAIN_DELAY_MS (the time Kubernetes takes to stop routing to a terminating pod),
 * requests in flight are answered, and the process exits 0 within the delay plus
 * SHUTDOWN_GRACE_MS. Shutdown times go to $TMPDIR/vinsight-shutdown-times.json. (No lost or
 * duplicated Kafka work is sigterm-under-load.e2e-spec.ts: it needs the consumers under load.)
 */
const GRACE_MS = 10000;
const DRAIN_DELAY_MS = 2000;
/** Requests sent this close to the end of the delay may meet the closing listener. */
const BOUNDARY_MS = 250;
const CLIENTS = 16;

interface Outcome {
  path: string;
  status?: number;
  error?: string;
  sentAt: number;
}

const tally = (list: Outcome[]) =>
  list.reduce<Record<string, number>>((counts, o) => {
    const key = `${o.path} ${o.status !== undefined ? String(o.status) : o.error!}`;
    counts[key] = (counts[key] ?? 0) + 1;
    return counts;
  }, {});

describe('SIGTERM under HTTP load', () => {
  it.each(['read-api', 'all-in-one'] as Role[])('%s keeps answering through its drain delay and exits 0 within its grace', async (role) => {
    const env = roleEnvironment({ SHUTDOWN_GRACE_MS: String(GRACE_MS), SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS) });
    const service = ServiceProcess.start(role, env, await freePort());
    await service.waitFor('/health/ready');
    let sigtermAt: number | undefined;
    let exitedAt: number | undefined;
    void service.exited.then(() => (exitedAt = Date.now()));
    const outcomes: Outcome[] = [];

    // Bounded load: CLIENTS loops, each one request at a time, until the process has exited.
    // Readiness shows the drain; liveness (which Kubernetes keeps probing) must stay 200.
    const client = async (index: number) => {
      const path = index % 2 === 0 ? '/health/ready' : '/health/live';
      while (exitedAt === undefined) {
        const sentAt = Date.now();
        try {
          const response = await fetch(service.url(path));
          await response.arrayBuffer();
          outcomes.push({ path, status: response.status, sentAt });
        } catch (error) {
          outcomes.push({ path, error: ((error as Error).cause as NodeJS.ErrnoException)?.code ?? (error as Error).message, sentAt });
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, index) => client(index));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    sigtermAt = Date.now();
    service.child.kill('SIGTERM');
    const code = await service.exited;
    await Promise.all(clients);

    const shutdownMs = exitedAt! - sigtermAt;
    const drainEnd = sigtermAt + DRAIN_DELAY_MS - BOUNDARY_MS;
    const before = outcomes.filter((o) => o.sentAt < sigtermAt!);
    const duringDrain = outcomes.filter((o) => o.sentAt >= sigtermAt! && o.sentAt < drainEnd);
    const afterDrain = outcomes.filter((o) => o.sentAt >= drainEnd);
    recordShutdownFigures(role, {
      graceMs: GRACE_MS,
      drainDelayMs: DRAIN_DELAY_MS,
      shutdownMs,
      beforeSigterm: tally(before),
      duringDrain: tally(duringDrain),
      afterDrain: tally(afterDrain),
    });

    expect(code).toBe(0);
    expect(shutdownMs).toBeGreaterThanOrEqual(DRAIN_DELAY_MS);
    expect(shutdownMs).toBeLessThan(DRAIN_DELAY_MS + GRACE_MS);
    expect(before.length).toBeGreaterThan(CLIENTS);
    expect(before.every((o) => o.status === 200)).toBe(true);
    // The delay: no request refused or cut, liveness 200, readiness 503 (or 200 for a request
    // that beat the flag).
    expect(duringDrain.length).toBeGreaterThan(CLIENTS);
    expect(duringDrain.filter((o) => o.error !== undefined)).toEqual([]);
    expect(duringDrain.filter((o) => o.path === '/health/live').every((o) => o.status === 200)).toBe(true);
    const readiness = duringDrain.filter((o) => o.path === '/health/ready');
    expect(readiness.every((o) => o.status === 200 || o.status === 503)).toBe(true);
    expect(readiness.filter((o) => o.status === 503).length).toBeGreaterThan(0);
    // After it: answered, or refused once the listener closed; never a server error.
    for (const o of afterDrain) {
      if (o.status !== undefined) expect([200, 503]).toContain(o.status);
      else expect(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']).toContain(o.error);
    }
  });
});
