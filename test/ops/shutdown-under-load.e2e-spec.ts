import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, Role, roleEnvironment, ServiceProcess } from '../e2e/service-process';

/**
 * SIGTERM while requests keep coming: readiness turns 503 at once, requests in flight are answered,
 * and the process exits 0 well within SHUTDOWN_GRACE_MS. Shutdown times go to
 * $TMPDIR/vinsight-shutdown-times.json. (No lost or duplicated Kafka work is the command
 * processor's and projector's own end-to-end test: it needs their consumers.)
 */
const GRACE_MS = 10000;
const CLIENTS = 16;
const REPORT = join(tmpdir(), 'vinsight-shutdown-times.json');

interface Outcome {
  status?: number;
  error?: string;
  sentAfterSigterm: boolean;
}

describe('SIGTERM under HTTP load', () => {
  const times: Record<string, unknown> = {};

  it.each(['read-api', 'all-in-one'] as Role[])('%s drains and exits 0 within its grace', async (role) => {
    const service = ServiceProcess.start(role, roleEnvironment({ SHUTDOWN_GRACE_MS: String(GRACE_MS) }), await freePort());
    await service.waitFor('/health/ready');
    let sigtermAt: number | undefined;
    let exitedAt: number | undefined;
    void service.exited.then(() => (exitedAt = Date.now()));
    const outcomes: Outcome[] = [];

    // Bounded load: CLIENTS loops, each one request at a time, until the process has exited.
    const client = async () => {
      while (exitedAt === undefined) {
        const sentAfterSigterm = sigtermAt !== undefined;
        try {
          const response = await fetch(service.url('/health/ready'));
          await response.arrayBuffer();
          outcomes.push({ status: response.status, sentAfterSigterm });
        } catch (error) {
          outcomes.push({ error: ((error as Error).cause as NodeJS.ErrnoException)?.code ?? (error as Error).message, sentAfterSigterm });
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    sigtermAt = Date.now();
    service.child.kill('SIGTERM');
    const code = await service.exited;
    await Promise.all(clients);

    const shutdownMs = exitedAt! - sigtermAt;
    const before = outcomes.filter((o) => !o.sentAfterSigterm);
    const after = outcomes.filter((o) => o.sentAfterSigterm);
    const tally = (list: Outcome[]) =>
      list.reduce<Record<string, number>>((counts, o) => {
        const key = o.status !== undefined ? String(o.status) : o.error!;
        counts[key] = (counts[key] ?? 0) + 1;
        return counts;
      }, {});
    times[role] = { shutdownMs, beforeSigterm: tally(before), afterSigterm: tally(after) };
    writeFileSync(REPORT, JSON.stringify(times, null, 2));

    expect(code).toBe(0);
    expect(shutdownMs).toBeLessThan(GRACE_MS);
    expect(before.length).toBeGreaterThan(CLIENTS);
    expect(tally(before)).toEqual({ '200': before.length });
    // After SIGTERM: answered as not ready (or still ready for a request that beat the flag), or
    // refused once the listener closed; never a server error.
    for (const o of after) {
      if (o.status !== undefined) expect([200, 503]).toContain(o.status);
      else expect(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']).toContain(o.error);
    }
  });
});
