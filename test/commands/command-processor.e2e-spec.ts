import { createHash, randomUUID } from 'node:crypto';
import { decodeConsistencyToken, EVENT_VERSIONING } from '@vinsight/contracts';
import { CommandClient, createKafkaClient, topicNames, TopicNames } from '@vinsight/kafka';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { freePort, roleEnvironment, ServiceProcess } from '../e2e/service-process';
import { testEnv } from '../test-env';
import { BCRYPT_HASH, command, createMonitor, createTenant, recordCheck, uniqueSlug } from './commands';
import { TopicCapture } from './topic-capture';

const randomTokenSha256 = () => createHash('sha256').update(randomUUID()).digest('hex');

describe('command processor, end to end through Kafka', () => {
  const prefix = `e2e.${randomUUID().slice(0, 8)}.`;
  const topics: TopicNames = topicNames(prefix);
  let kafka: Kafka;
  let processor: ServiceProcess;
  let client: CommandClient;
  let capture: TopicCapture;

  const env = roleEnvironment({
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_CLIENT_ID: `e2e-${randomUUID().slice(0, 8)}`,
    KAFKA_PARTITIONS: '3',
    PROCESSOR_SNAPSHOT_EVERY_EVENTS: '5',
  });

  beforeAll(async () => {
    kafka = createKafkaClient({ ...testEnv.kafka, clientId: 'e2e-test' }, { logLevel: 1 });
    processor = ServiceProcess.start('command-processor', env, await freePort());
    await processor.waitFor('/health/startup', 60000);
    client = await CommandClient.connect(kafka, topics);
    capture = await TopicCapture.start(kafka, [topics.events, topics.checkEvents, topics.commandsDlq]);
  });

  afterAll(async () => {
    await client?.disconnect();
    await capture?.stop();
    await processor?.stop();
  });

  const eventsOf = (commandId: string) =>
    capture
      .of(topics.events, (r) => r.json?.commandId === commandId)
      .concat(capture.of(topics.checkEvents, (r) => r.json?.commandId === commandId));

  async function waitUntil(condition: () => boolean, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async function accepted(envelope: ReturnType<typeof command>) {
    const result = await client.execute(envelope);
    expect(result).toMatchObject({ commandId: envelope.commandId, status: 'accepted', duplicate: false });
    return result;
  }

  it('gives every command type its documented events and an accepted result', async () => {
    const tenantId = randomUUID();
    const userId = randomUUID();
    const apiKeyId = randomUUID();
    const monitorId = randomUUID();
    const script: [ReturnType<typeof command>, string[]][] = [
      [createTenant(tenantId, { plan: 'free' }), ['TenantCreated']],
      [command('RenameTenant', tenantId, { name: 'Acme Two' }), ['TenantRenamed']],
      [command('ChangeTenantPlan', tenantId, { plan: 'pro' }), ['TenantPlanChanged']],
      [
        command('RegisterUser', tenantId, { userId, email: 'Ada@Example.com', passwordHash: BCRYPT_HASH, role: 'admin' }),
        ['UserRegistered'],
      ],
      [command('ChangeUserRole', tenantId, { userId, role: 'owner' }), ['UserRoleChanged']],
      [command('DeactivateUser', tenantId, { userId }), ['UserDeactivated']],
      [command('ReactivateUser', tenantId, { userId }), ['UserReactivated']],
      [command('RecordUserLogin', tenantId, { userId, at: new Date().toISOString() }), ['UserLoggedIn']],
      [command('RemoveUser', tenantId, { userId }), ['UserRemoved']],
      [
        command('IssueApiKey', tenantId, { apiKeyId, name: 'deploy', tokenSha256: randomTokenSha256(), expiresAt: '2099-01-01T00:00:00Z' }),
        ['ApiKeyIssued'],
      ],
      [command('RevokeApiKey', tenantId, { apiKeyId }), ['ApiKeyRevoked']],
      [createMonitor(tenantId, monitorId, { checkInterval: 30 }), ['MonitorCreated']],
      [command('UpdateMonitor', tenantId, { monitorId, name: 'Renamed' }), ['MonitorUpdated']],
      [recordCheck(tenantId, monitorId, 'down'), ['CheckRecorded', 'MonitorStatusChanged']],
      [command('PauseMonitor', tenantId, { monitorId }), ['MonitorPaused']],
      [command('ResumeMonitor', tenantId, { monitorId }), ['MonitorResumed']],
      [command('DeleteMonitor', tenantId, { monitorId }), ['MonitorDeleted']],
      [command('DeactivateTenant', tenantId, { reason: 'unpaid' }), ['TenantDeactivated']],
      [command('ReactivateTenant', tenantId), ['TenantReactivated']],
      [command('DeleteTenant', tenantId), ['TenantDeleted']],
    ];
    for (const [envelope, types] of script) {
      const result = await accepted(envelope);
      await waitUntil(() => eventsOf(envelope.commandId).length >= types.length);
      const all = eventsOf(envelope.commandId);
      expect(all.map((e) => e.json.type).sort()).toEqual([...types].sort());
      for (const event of all) {
        expect(event.message.key?.toString()).toBe(tenantId);
        expect(event.json).toMatchObject({
          tenantId,
          commandId: envelope.commandId,
          correlationId: envelope.commandId,
          schemaVersion: EVENT_VERSIONING.currentVersion(event.json.type),
        });
        expect(event.message.headers?.schemaVersion?.toString()).toBe(String(event.json.schemaVersion));
        expect(event.message.headers?.type?.toString()).toBe(event.json.type);
        expect(event.message.headers?.eventId?.toString()).toBe(event.json.eventId);
      }
      expect(result.version).toBe(Math.max(...all.map((e) => e.json.version)));
      expect(typeof result.position).toBe('string');
    }
    // The check went to check-events, the status change it caused to the event store.
    const check = capture.of(topics.checkEvents, (r) => r.json?.tenantId === tenantId);
    expect(check.map((r) => r.json.type)).toEqual(['CheckRecorded']);
  });

  it('answers a duplicate commandId with the original result marked duplicate, positioned where the partition now stands, and writes no event', async () => {
    const tenantId = randomUUID();
    const create = createTenant(tenantId);
    const first = await accepted(create);
    await capture.waitFor(topics.events, (r) => r.json?.commandId === create.commandId);
    await client.send(create);
    const [, again] = await client.waitFor(create.commandId, 2);
    expect(again).toEqual({ ...first, duplicate: true, position: expect.any(String) });
    const [original, repeated] = [first, again].map((r) => decodeConsistencyToken(String(r.position)));
    expect(repeated?.partition).toBe(original?.partition);
    expect(BigInt(repeated!.eventsOffset!)).toBeGreaterThanOrEqual(BigInt(original!.eventsOffset!));
    // A later command proves the duplicate was processed before it, without events of its own.
    const rename = command('RenameTenant', tenantId, { name: 'Later' });
    await accepted(rename);
    await capture.waitFor(topics.events, (r) => r.json?.commandId === rename.commandId);
    expect(capture.of(topics.events, (r) => r.json?.commandId === create.commandId)).toHaveLength(1);
  });

  it('rejects an expectedVersion mismatch with CONFLICT', async () => {
    const tenantId = randomUUID();
    await accepted(createTenant(tenantId));
    const stale = await client.execute(command('RenameTenant', tenantId, { name: 'X' }, { expectedVersion: 5 }));
    expect(stale).toMatchObject({ status: 'rejected', error: { code: 'CONFLICT' } });
    const fresh = await client.execute(command('RenameTenant', tenantId, { name: 'Y' }, { expectedVersion: 1 }));
    expect(fresh).toMatchObject({ status: 'accepted', version: 2 });
    const exists = await client.execute(createTenant(tenantId));
    expect(exists).toMatchObject({ status: 'rejected', error: { code: 'ALREADY_EXISTS' } });
  });

  it('rejects a slug another tenant holds with ALREADY_EXISTS', async () => {
    const slug = uniqueSlug();
    await accepted(createTenant(randomUUID(), { slug }));
    const taken = await client.execute(createTenant(randomUUID(), { slug }));
    expect(taken).toMatchObject({ status: 'rejected', error: { code: 'ALREADY_EXISTS', details: [{ field: 'payload.slug' }] } });
  });

  it('rejects an API key token another tenant holds with ALREADY_EXISTS and writes no event for it', async () => {
    const [holder, other] = [randomUUID(), randomUUID()];
    await accepted(createTenant(holder));
    await accepted(createTenant(other));
    const tokenSha256 = randomTokenSha256();
    const issue = command('IssueApiKey', holder, { apiKeyId: randomUUID(), name: 'first', tokenSha256 });
    await accepted(issue);
    const taken = await client.execute(command('IssueApiKey', other, { apiKeyId: randomUUID(), name: 'second', tokenSha256 }));
    expect(taken).toMatchObject({ status: 'rejected', error: { code: 'ALREADY_EXISTS', details: [{ field: 'payload.tokenSha256' }] } });
    expect(capture.of(topics.events, (r) => r.json?.tenantId === other && r.json?.type === 'ApiKeyIssued')).toHaveLength(0);
  });

  it('holds the plan limits: free allows 10 monitors and intervals of at least 60 s', async () => {
    const tenantId = randomUUID();
    await accepted(createTenant(tenantId, { plan: 'free' }));
    const tooFast = await client.execute(createMonitor(tenantId, randomUUID(), { checkInterval: 30 }));
    expect(tooFast).toMatchObject({ status: 'rejected', error: { code: 'PLAN_LIMIT_EXCEEDED' } });
    const creates = Array.from({ length: 10 }, () => createMonitor(tenantId));
    const waits = creates.map((c) => client.waitFor(c.commandId));
    await client.sendMany(creates);
    for (const [result] of await Promise.all(waits)) expect(result.status).toBe('accepted');
    const eleventh = await client.execute(createMonitor(tenantId));
    expect(eleventh).toMatchObject({ status: 'rejected', error: { code: 'PLAN_LIMIT_EXCEEDED' } });
  });

  it('sends a non-JSON message to the dead-letter topic and processes the next command on the same partition', async () => {
    const tenantId = randomUUID();
    const raw = Buffer.from([0x7b, 0xff, 0x00, 0x01]);
    await client.sendRaw(tenantId, raw);
    const next = await client.execute(createTenant(tenantId));
    expect(next.status).toBe('accepted');
    const [letter] = await capture.waitFor(topics.commandsDlq, (r) => r.json?.key?.data === tenantId);
    expect(Buffer.from(letter.json.value, 'base64')).toEqual(raw);
    expect(letter.json).toMatchObject({ sourceTopic: topics.commands, reason: expect.stringMatching(/JSON|UTF-8/i) });
    expect(typeof letter.json.offset).toBe('string');
    expect(letter.partition).toBe(letter.json.partition);
  });

  it('rejects a command whose key differs from its tenantId with TENANT_MISMATCH', async () => {
    const envelope = createTenant(randomUUID());
    const wait = client.waitFor(envelope.commandId);
    await client.send(envelope, { key: randomUUID() });
    const [result] = await wait;
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'TENANT_MISMATCH' } });
  });

  it('answers unknown types and invalid payloads with results naming the problem', async () => {
    const tenantId = randomUUID();
    const unknown = await client.execute(command('LaunchRocket', tenantId));
    expect(unknown).toMatchObject({ status: 'rejected', error: { code: 'UNKNOWN_COMMAND' } });
    const invalid = await client.execute(createMonitor(tenantId, randomUUID(), { url: 'ftp://nope' }));
    expect(invalid).toMatchObject({ status: 'rejected', error: { code: 'VALIDATION_FAILED', details: [{ field: 'payload.url' }] } });
  });

  it('records checks idempotently by checkId and emits status changes only on a change', async () => {
    const tenantId = randomUUID();
    const monitorId = randomUUID();
    await accepted(createTenant(tenantId));
    await accepted(createMonitor(tenantId, monitorId));
    const up1 = recordCheck(tenantId, monitorId, 'up');
    const up1Again = recordCheck(tenantId, monitorId, 'up', { checkId: (up1.payload as any).checkId });
    const up2 = recordCheck(tenantId, monitorId, 'up');
    const down = recordCheck(tenantId, monitorId, 'error', { errorMessage: 'timeout' });
    for (const c of [up1, up1Again, up2, down]) await accepted(c);
    await capture.waitFor(topics.events, (r) => r.json?.commandId === down.commandId);
    await capture.waitFor(topics.checkEvents, (r) => r.json?.commandId === down.commandId);
    const checks = capture.of(topics.checkEvents, (r) => r.json?.tenantId === tenantId);
    expect(checks.map((r) => r.json.commandId)).toEqual([up1.commandId, up2.commandId, down.commandId]);
    const changes = capture.of(topics.events, (r) => r.json?.tenantId === tenantId && r.json.type === 'MonitorStatusChanged');
    expect(changes.map((r) => [r.json.payload.from, r.json.payload.to])).toEqual([
      ['unknown', 'up'],
      ['up', 'down'],
    ]);
    const paused = command('PauseMonitor', tenantId, { monitorId });
    await accepted(paused);
    const late = await client.execute(recordCheck(tenantId, monitorId, 'up'));
    expect(late).toMatchObject({ status: 'rejected', error: { code: 'MONITOR_PAUSED' } });
  });

  it('rebuilds its state from a snapshot and the topics after a restart: versions go on, duplicates are still recognised', async () => {
    const tenantId = randomUUID();
    const create = createTenant(tenantId);
    await accepted(create);
    await accepted(command('RenameTenant', tenantId, { name: 'Before restart' }));
    const pool = new Pool({ connectionString: testEnv.projectorUrl });
    try {
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM processor_snapshots WHERE stream = $1', [topics.commands]);
      expect(rows[0].n).toBeGreaterThan(0);
    } finally {
      await pool.end();
    }
    expect(await processor.stop()).toBe(0);
    processor = ServiceProcess.start('command-processor', env, await freePort());
    await processor.waitFor('/health/startup', 60000);
    const renamed = await client.execute(command('RenameTenant', tenantId, { name: 'After restart' }));
    expect(renamed).toMatchObject({ status: 'accepted', version: 3 });
    await client.send(create);
    const [, duplicate] = await client.waitFor(create.commandId, 2);
    expect(duplicate).toMatchObject({ status: 'accepted', duplicate: true, version: 1 });
  });
});
