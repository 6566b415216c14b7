import { createHash, randomBytes, randomUUID } from 'node:crypto';

export interface SoakEnvelope {
  commandId: string;
  type: string;
  tenantId: string;
  payload: Record<string, unknown>;
}

export interface SoakApiKey {
  tenantId: string;
  token: string;
}

interface SoakTenant {
  id: string;
  /** Live monitors; the first `monitorsPerTenant` stay, later ones are created and deleted again. */
  monitors: string[];
}

/**
 * The soak's command mix, per 1,000 commands: 5 repeats of a recent command id (duplicates),
 * 5 monitor updates, a pause and its resume, a tenant rename, a monitor created and one deleted
 * (so monitor ids churn and deleted monitors accumulate as they do in production), 3 check results
 * for an unknown monitor (rejected), the rest check results spread evenly over every monitor.
 */
export class SoakFleet {
  private readonly tenants: SoakTenant[];
  private readonly recent: SoakEnvelope[] = [];
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

  get monitorCount(): number {
    return this.tenants.length * this.monitorsPerTenant;
  }

  setup(): SoakEnvelope[] {
    return this.tenants.flatMap((t) => [
      {
        commandId: randomUUID(),
        type: 'CreateTenant',
        tenantId: t.id,
        payload: { name: 'Soak', slug: `s-${randomUUID()}`, plan: 'enterprise' },
      },
      ...t.monitors.map((monitorId) => createMonitor(t.id, monitorId)),
    ]);
  }

  /** An API key for each of the first `count` tenants (the read load authenticates with them). */
  apiKeys(count: number): { commands: SoakEnvelope[]; keys: SoakApiKey[] } {
    const keys = this.tenants.slice(0, count).map((t) => ({ tenantId: t.id, token: `vik_${randomBytes(32).toString('base64url')}` }));
    const commands = keys.map((key) => ({
      commandId: randomUUID(),
      type: 'IssueApiKey',
      tenantId: key.tenantId,
      payload: { apiKeyId: randomUUID(), name: 'soak', tokenSha256: createHash('sha256').update(key.token, 'utf8').digest('hex') },
    }));
    return { commands, keys };
  }

  next(): SoakEnvelope {
    const i = this.n++;
    const tenant = this.tenants[i % this.tenants.length];
    const round = Math.floor(i / this.tenants.length);
    const monitorId = tenant.monitors[round % tenant.monitors.length];
    const roll = i % 1000;
    let envelope: SoakEnvelope;
    if (roll < 5 && this.recent.length > 0) return this.recent[(i * 7919) % this.recent.length];
    if (roll < 10)
      envelope = { commandId: randomUUID(), type: 'UpdateMonitor', tenantId: tenant.id, payload: { monitorId, name: `m${i}` } };
    else if (roll === 10) envelope = { commandId: randomUUID(), type: 'PauseMonitor', tenantId: tenant.id, payload: { monitorId } };
    else if (roll === 11)
      envelope = {
        commandId: randomUUID(),
        type: 'ResumeMonitor',
        tenantId: this.tenants[(i - 1) % this.tenants.length].id,
        payload: { monitorId: this.pausedMonitor(i - 1) },
      };
    else if (roll === 12) envelope = { commandId: randomUUID(), type: 'RenameTenant', tenantId: tenant.id, payload: { name: `t${i}` } };
    else if (roll === 13) {
      const created = randomUUID();
      tenant.monitors.push(created);
      envelope = createMonitor(tenant.id, created);
    } else if (roll === 14 && tenant.monitors.length > this.monitorsPerTenant) {
      const [deleted] = tenant.monitors.splice(this.monitorsPerTenant, 1);
      envelope = { commandId: randomUUID(), type: 'DeleteMonitor', tenantId: tenant.id, payload: { monitorId: deleted } };
    } else envelope = checkResult(tenant.id, roll >= 15 && roll < 18 ? randomUUID() : monitorId, i);
    this.recent[i % 1000] = envelope;
    return envelope;
  }

  private pausedMonitor(i: number): string {
    const tenant = this.tenants[i % this.tenants.length];
    return tenant.monitors[Math.floor(i / this.tenants.length) % tenant.monitors.length];
  }
}

function createMonitor(tenantId: string, monitorId: string): SoakEnvelope {
  return {
    commandId: randomUUID(),
    type: 'CreateMonitor',
    tenantId,
    payload: { monitorId, name: 'Soak monitor', url: 'https://example.com/health', checkInterval: 30 },
  };
}

function checkResult(tenantId: string, monitorId: string, i: number): SoakEnvelope {
  const down = i % 17 === 0;
  return {
    commandId: randomUUID(),
    type: 'RecordCheckResult',
    tenantId,
    payload: {
      monitorId,
      checkId: randomUUID(),
      status: down ? 'down' : 'up',
      responseTimeMs: 50 + (i % 400),
      statusCode: down ? 503 : 200,
      checkedAt: new Date().toISOString(),
      region: 'eu-west-1',
    },
  };
}
