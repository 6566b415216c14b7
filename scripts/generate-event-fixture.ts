/**
 * Writes test/fixtures/event-log-v1.ndjson: the events that today's command processor decides for a
 * fixed script of commands (every event type, three tenants, users, API keys, monitors, check
 * results with and without a region, status changes), one Kafka record per line in topic order.
 * It was run once, before CheckRecorded v2, and its output is committed: the log stands for years
 * of history written by an older version, which every later version must still replay
 * (test/fixtures/event-log-v1.int-spec.ts). Running it again writes events of the current versions.
 *
 *   npm run build && node dist/scripts/generate-event-fixture.js > test/fixtures/event-log-v1.ndjson
 */
import { createHash } from 'node:crypto';
import { eventTopicRole, parseCommandMessage, toEventEnvelope } from '@vinsight/contracts';
import { decide, evolveTenantWriteState, initialTenantWriteState, TenantWriteState } from '@vinsight/domain';
import { emailHasher } from '@vinsight/personal-data';
import { testPersonalDataKeys } from '../libs/personal-data/src/testing/test-keys';

const HASH_A = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
const HASH_B = '$2a$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW';
const START = Date.parse('2026-01-10T00:00:00.000Z');

function nameUuid(name: string): string {
  const bytes = createHash('sha1').update(`vinsight-fixture:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

type Step = [tenant: string, type: string, payload: Record<string, unknown>];

function script(): Step[] {
  const steps: Step[] = [];
  const t1 = 'acme';
  const t2 = 'globex';
  const t3 = 'initech';
  steps.push([t1, 'CreateTenant', { name: 'Acme Corp', slug: 'fixture-acme', plan: 'pro' }]);
  steps.push([t2, 'CreateTenant', { name: 'Globex', slug: 'fixture-globex' }]);
  steps.push([t3, 'CreateTenant', { name: 'Initech', slug: 'fixture-initech', plan: 'enterprise' }]);
  steps.push([t1, 'RegisterUser', { userId: nameUuid('acme/ada'), email: 'Ada@Example.com', passwordHash: HASH_A, role: 'owner' }]);
  steps.push([t1, 'RegisterUser', { userId: nameUuid('acme/bob'), email: 'bob@example.com', passwordHash: HASH_B }]);
  steps.push([t1, 'RegisterUser', { userId: nameUuid('acme/cy'), email: 'cy@example.com', passwordHash: HASH_A, role: 'admin' }]);
  steps.push([t2, 'RegisterUser', { userId: nameUuid('globex/hank'), email: 'hank@globex.test', passwordHash: HASH_B, role: 'owner' }]);
  steps.push([t1, 'ChangeUserRole', { userId: nameUuid('acme/bob'), role: 'admin' }]);
  steps.push([t1, 'RecordUserLogin', { userId: nameUuid('acme/ada'), at: '2026-01-10T00:05:00.000Z' }]);
  steps.push([t1, 'DeactivateUser', { userId: nameUuid('acme/cy') }]);
  steps.push([t1, 'ReactivateUser', { userId: nameUuid('acme/cy') }]);
  steps.push([t1, 'RemoveUser', { userId: nameUuid('acme/bob') }]);
  steps.push([t1, 'IssueApiKey', { apiKeyId: nameUuid('acme/key1'), name: 'deploy', tokenSha256: 'a1'.repeat(32) }]);
  steps.push([
    t1,
    'IssueApiKey',
    { apiKeyId: nameUuid('acme/key2'), name: 'ci', tokenSha256: 'b2'.repeat(32), expiresAt: '2027-01-01T00:00:00.000Z' },
  ]);
  steps.push([t1, 'RevokeApiKey', { apiKeyId: nameUuid('acme/key2') }]);
  steps.push([t2, 'IssueApiKey', { apiKeyId: nameUuid('globex/key'), name: 'grafana', tokenSha256: 'c3'.repeat(32) }]);
  const monitors: [string, string, number][] = [
    [t1, 'acme/home', 60],
    [t1, 'acme/api', 30],
    [t2, 'globex/shop', 300],
    [t3, 'initech/tps', 10],
  ];
  for (const [tenant, name, interval] of monitors) {
    steps.push([
      tenant,
      'CreateMonitor',
      { monitorId: nameUuid(name), name, url: `https://${name.replace('/', '.')}.test/`, checkInterval: interval },
    ]);
  }
  steps.push([t1, 'UpdateMonitor', { monitorId: nameUuid('acme/api'), name: 'Acme API', url: 'https://api.acme.test/health' }]);
  const statuses = ['up', 'up', 'down', 'down', 'up', 'error', 'up', 'up', 'down', 'up'] as const;
  for (let round = 0; round < 10; round += 1) {
    for (const [tenant, name] of monitors) {
      const status = statuses[(round + name.length) % statuses.length];
      steps.push([
        tenant,
        'RecordCheckResult',
        {
          monitorId: nameUuid(name),
          checkId: nameUuid(`${name}/check/${round}`),
          status,
          ...(status !== 'error' && { responseTimeMs: 40 + ((round * 37 + name.length * 11) % 900) }),
          ...(status === 'up' && { statusCode: 200 }),
          ...(status === 'down' && { statusCode: 503, errorMessage: 'Service Unavailable' }),
          ...(status === 'error' && { errorMessage: 'connect ECONNREFUSED' }),
          // v1 carried the region only when the probe said where it ran.
          ...(round % 3 === 1 && { region: round % 2 === 0 ? 'eu-west' : 'us-east-1' }),
          checkedAt: 'NOW-10S',
        },
      ]);
    }
    if (round === 4) {
      steps.push([t1, 'PauseMonitor', { monitorId: nameUuid('acme/home') }]);
      steps.push([t1, 'ResumeMonitor', { monitorId: nameUuid('acme/home') }]);
    }
  }
  steps.push([t2, 'DeleteMonitor', { monitorId: nameUuid('globex/shop') }]);
  steps.push([t1, 'RenameTenant', { name: 'Acme Corporation' }]);
  steps.push([t2, 'ChangeTenantPlan', { plan: 'pro' }]);
  steps.push([t3, 'DeactivateTenant', { reason: 'unpaid invoices' }]);
  steps.push([t3, 'ReactivateTenant', {}]);
  steps.push([t3, 'DeleteTenant', {}]);
  return steps;
}

function main(): void {
  const states = new Map<string, TenantWriteState>();
  const lines: string[] = [];
  script().forEach(([tenantName, type, payload], index) => {
    const tenantId = nameUuid(`tenant/${tenantName}`);
    const commandId = nameUuid(`command/${index}`);
    const now = new Date(START + index * 60_000);
    const withTime = payload.checkedAt === 'NOW-10S' ? { ...payload, checkedAt: new Date(now.getTime() - 10_000).toISOString() } : payload;
    const value = Buffer.from(JSON.stringify({ commandId, type, tenantId, issuedBy: 'fixture', payload: withTime }));
    const parsed = parseCommandMessage({ key: tenantId, value, now });
    if (parsed.kind !== 'command') throw new Error(`step ${index} (${type}) not parsed: ${JSON.stringify(parsed)}`);
    let state = states.get(tenantId) ?? initialTenantWriteState();
    const decision = decide(parsed.command, state, { emailHashOf: emailHasher(testPersonalDataKeys().emailHashKey) });
    if (!decision.ok) throw new Error(`step ${index} (${type}) rejected: ${JSON.stringify(decision.error)}`);
    decision.events.forEach((decided, n) => {
      const envelope = toEventEnvelope(decided, {
        eventId: nameUuid(`event/${commandId}/${n}`),
        occurredAt: now,
        tenantId,
        commandId,
        correlationId: commandId,
        issuedBy: 'fixture',
      });
      lines.push(JSON.stringify({ topic: eventTopicRole(decided.type), key: tenantId, value: envelope }));
      state = evolveTenantWriteState(state, decided);
    });
    states.set(tenantId, state);
  });
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
