/**
 * bench:commands' workload, shared with bench:handler: tenants with their monitors created first,
 * then 90 % RecordCheckResult, 5 % UpdateMonitor, 5 % RenameTenant, round robin over tenants.
 */
import { randomUUID } from 'node:crypto';

export type Envelope = { commandId: string; type: string; tenantId: string; payload: Record<string, unknown> };

export class Fleet {
  readonly tenants: { readonly id: string; readonly monitors: readonly string[] }[];
  private n = 0;

  constructor(
    tenants: number,
    private readonly monitorsPerTenant: number,
  ) {
    this.tenants = Array.from({ length: tenants }, () => ({
      id: randomUUID(),
      monitors: Array.from({ length: monitorsPerTenant }, () => randomUUID()),
    }));
  }

  setup(): Envelope[] {
    return this.tenants.flatMap((t) => [
      {
        commandId: randomUUID(),
        type: 'CreateTenant',
        tenantId: t.id,
        payload: { name: 'Bench', slug: `b-${randomUUID()}`, plan: 'enterprise' },
      },
      ...t.monitors.map((monitorId) => ({
        commandId: randomUUID(),
        type: 'CreateMonitor',
        tenantId: t.id,
        payload: { monitorId, name: 'Bench monitor', url: 'https://example.com/health', checkInterval: 30 },
      })),
    ]);
  }

  /** Mostly check results (90 %), some monitor updates and tenant renames. */
  next(): Envelope {
    const i = this.n++;
    const tenant = this.tenants[i % this.tenants.length];
    const monitorId = tenant.monitors[Math.floor(i / this.tenants.length) % this.monitorsPerTenant];
    const roll = i % 20;
    if (roll === 0) return { commandId: randomUUID(), type: 'UpdateMonitor', tenantId: tenant.id, payload: { monitorId, name: `m${i}` } };
    if (roll === 1) return { commandId: randomUUID(), type: 'RenameTenant', tenantId: tenant.id, payload: { name: `t${i}` } };
    return {
      commandId: randomUUID(),
      type: 'RecordCheckResult',
      tenantId: tenant.id,
      payload: {
        monitorId,
        checkId: randomUUID(),
        status: i % 17 === 0 ? 'down' : 'up',
        responseTimeMs: 50 + (i % 400),
        statusCode: i % 17 === 0 ? 503 : 200,
        checkedAt: new Date().toISOString(),
        region: 'eu-west-1',
      },
    };
  }
}
