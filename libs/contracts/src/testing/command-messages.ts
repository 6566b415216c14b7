import { randomUUID } from 'node:crypto';
import type { CommandType } from '@vinsight/domain';

export const BCRYPT_HASH = '$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234';
export const NOW = new Date('2025-01-15T12:00:00.000Z');

/** A valid payload for every command type, with fresh ids. */
export function validPayload(type: CommandType): Record<string, unknown> {
  switch (type) {
    case 'CreateTenant':
      return { name: 'Acme Corp', slug: 'acme-corp', plan: 'pro' };
    case 'RenameTenant':
      return { name: 'Acme Two' };
    case 'ChangeTenantPlan':
      return { plan: 'enterprise' };
    case 'DeactivateTenant':
      return { reason: 'unpaid invoices' };
    case 'ReactivateTenant':
    case 'DeleteTenant':
      return {};
    case 'RegisterUser':
      return { userId: randomUUID(), email: 'ada@example.com', passwordHash: BCRYPT_HASH, role: 'admin' };
    case 'ChangeUserRole':
      return { userId: randomUUID(), role: 'owner' };
    case 'DeactivateUser':
    case 'ReactivateUser':
    case 'RemoveUser':
    case 'EraseUser':
      return { userId: randomUUID() };
    case 'RecordUserLogin':
      return { userId: randomUUID(), at: '2025-01-15T11:59:00Z' };
    case 'IssueApiKey':
      return { apiKeyId: randomUUID(), name: 'deploy', tokenSha256: 'ab'.repeat(32), expiresAt: '2026-01-01T00:00:00Z' };
    case 'RevokeApiKey':
      return { apiKeyId: randomUUID() };
    case 'CreateMonitor':
      return { monitorId: randomUUID(), name: 'Homepage', url: 'https://example.com/', checkInterval: 60 };
    case 'UpdateMonitor':
      return { monitorId: randomUUID(), url: 'http://example.org/health' };
    case 'PauseMonitor':
    case 'ResumeMonitor':
    case 'DeleteMonitor':
      return { monitorId: randomUUID() };
    case 'RecordCheckResult':
      return {
        monitorId: randomUUID(),
        checkId: randomUUID(),
        status: 'down',
        responseTimeMs: 512,
        statusCode: 503,
        errorMessage: 'Service Unavailable',
        checkedAt: '2025-01-15T11:59:30Z',
        region: 'eu-west-1',
      };
    case 'ScheduleMaintenance':
      return {
        maintenanceWindowId: randomUUID(),
        title: 'Database upgrade',
        startsAt: '2025-01-15T22:00:00Z',
        endsAt: '2025-01-16T02:00:00Z',
      };
    case 'CancelMaintenance':
      return { maintenanceWindowId: randomUUID() };
  }
}

export interface MessageParts {
  readonly key: string | null;
  readonly value: Buffer;
  readonly envelope: Record<string, unknown>;
}

/** A commands-topic message: envelope fields and payload may be overridden (undefined removes). */
export function commandMessage(
  type: string,
  payload: Record<string, unknown>,
  envelopeOverrides: Record<string, unknown> = {},
): MessageParts {
  const tenantId = randomUUID();
  const envelope = { commandId: randomUUID(), type, tenantId, payload, ...envelopeOverrides };
  const key = typeof envelope.tenantId === 'string' ? envelope.tenantId : null;
  return { key, value: Buffer.from(JSON.stringify(envelope)), envelope };
}
