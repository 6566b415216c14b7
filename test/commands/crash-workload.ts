import { randomUUID } from 'node:crypto';
import { command, createMonitor, createTenant, Envelope, recordCheck } from './commands';

/** Deterministic pseudo-random numbers (mulberry32), so a failing run can be replayed by seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A realistic mix for crash tests: tenants created first, a few monitors each, then mostly
 * check results with some renames and monitor updates, every tenant's commands in order.
 */
export function crashWorkload(total: number, tenants: number, random: () => number): Envelope[] {
  const perTenant = Math.floor(total / tenants);
  const streams: Envelope[][] = [];
  for (let t = 0; t < tenants; t++) {
    const tenantId = randomUUID();
    const monitors = [randomUUID(), randomUUID(), randomUUID()];
    const stream: Envelope[] = [
      createTenant(tenantId, { plan: 'enterprise' }),
      ...monitors.map((m) => createMonitor(tenantId, m, { checkInterval: 10 })),
    ];
    while (stream.length < perTenant) {
      const roll = random();
      const monitorId = monitors[Math.floor(random() * monitors.length)];
      if (roll < 0.85) stream.push(recordCheck(tenantId, monitorId, random() < 0.8 ? 'up' : 'down'));
      else if (roll < 0.95) stream.push(command('UpdateMonitor', tenantId, { monitorId, name: `m-${stream.length}` }));
      else stream.push(command('RenameTenant', tenantId, { name: `tenant-${stream.length}` }));
    }
    streams.push(stream);
  }
  // Interleave tenants, keeping each tenant's own order.
  const out: Envelope[] = [];
  for (let i = 0; i < perTenant; i++) for (const stream of streams) out.push(stream[i]);
  return out;
}
