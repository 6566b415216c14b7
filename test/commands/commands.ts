import { randomUUID } from 'node:crypto';

export const BCRYPT_HASH = '$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234';

export interface Envelope {
  commandId: string;
  type: string;
  tenantId: string;
  expectedVersion?: number;
  correlationId?: string;
  issuedBy?: string;
  payload: Record<string, unknown>;
}

/** Command envelopes with fresh ids; overrides win. */
export function command(
  type: string,
  tenantId: string,
  payload: Record<string, unknown> = {},
  overrides: Partial<Envelope> = {},
): Envelope {
  return { commandId: randomUUID(), type, tenantId, payload, ...overrides };
}

export const uniqueSlug = () => `t-${randomUUID().slice(0, 8)}`;

export function createTenant(tenantId: string, payload: Record<string, unknown> = {}): Envelope {
  return command('CreateTenant', tenantId, { name: 'Acme', slug: uniqueSlug(), plan: 'free', ...payload });
}

export function createMonitor(tenantId: string, monitorId = randomUUID(), payload: Record<string, unknown> = {}): Envelope {
  return command('CreateMonitor', tenantId, { monitorId, name: 'Home page', url: 'https://example.com/', checkInterval: 60, ...payload });
}

export function recordCheck(tenantId: string, monitorId: string, status: string, payload: Record<string, unknown> = {}): Envelope {
  return command('RecordCheckResult', tenantId, {
    monitorId,
    checkId: randomUUID(),
    status,
    responseTimeMs: 120,
    statusCode: status === 'up' ? 200 : 503,
    checkedAt: new Date().toISOString(),
    region: 'eu-west-1',
    ...payload,
  });
}
