import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import request from 'supertest';
import { decodeConsistencyToken, encodeConsistencyToken } from '@vinsight/contracts';
import { CommandClient, createKafkaClient, topicNames } from '@vinsight/kafka';
import { SseStream } from '../../scripts/sse-client';
import { command, recordCheck } from '../commands/commands';
import { ServiceProcess, freePort, roleEnvironment } from '../e2e/service-process';
import { deleteTestTopics } from '../projections/support/projector-harness';
import { testEnv } from '../test-env';
import { KafkaTenantScenario } from './kafka-tenant.scenario';
import { bearer, deleteTenants } from './read-api.fixtures';
import { projectorPool } from './read-api.harness';

type Status = 'up' | 'down' | 'error';
const LIMIT = 3;

/** The events a sequence of checks of one monitor implies, as `<type>:<checkId>` (incidents by the check that moved the status). */
function expectedEvents(checks: { checkId: string; status: Status }[], withChecks: boolean): string[] {
  const out: string[] = [];
  let status = 'unknown';
  for (const { checkId, status: checkStatus } of checks) {
    if (withChecks) out.push(`check.recorded:${checkId}`);
    const next = checkStatus === 'up' ? 'up' : 'down';
    if (next === status) continue;
    out.push(`monitor.status_changed:${checkId}`);
    if (next === 'down') out.push(`incident.opened:${checkId}`);
    if (next === 'up' && status === 'down') out.push(`incident.resolved:${checkId}`);
    status = next;
  }
  return out;
}

/** What a stream received, in the form of expectedEvents (status changes and incidents matched to checks by their time). */
function received(stream: SseStream, checkAt: Map<string, string>): string[] {
  return stream.events
    .filter((e) => e.event !== 'stream.opened')
    .map((e) => {
      const data = JSON.parse(e.data) as Record<string, string>;
      const at = data.changedAt ?? data.startedAt ?? data.resolvedAt;
      return `${e.event}:${data.checkId ?? checkAt.get(at) ?? at}`;
    });
}

/**
 * GET /v1/stream on the built apps: commands go through Kafka, the command processor and the
 * projector as in production, and two read API processes serve streams (B with a replay ring of 5
 * records, so resuming there reads Kafka again).
 */
describe('GET /v1/stream (Server-Sent Events)', () => {
  const prefix = `e2e.stream.${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(prefix);
  const env = roleEnvironment({
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_CLIENT_ID: `e2e-stream-${randomUUID().slice(0, 8)}`,
    KAFKA_PARTITIONS: '3',
    MIGRATE_ON_START: 'false',
    READ_API_RATE_LIMIT_PER_SECOND: '0',
    STREAM_MAX_CONNECTIONS_PER_TENANT: String(LIMIT),
    STREAM_HEARTBEAT_MS: '300',
    SHUTDOWN_DRAIN_DELAY_MS: '300',
  });
  let kafka: Kafka;
  let client: CommandClient;
  let pool: Pool;
  let processor: ServiceProcess;
  let projector: ServiceProcess;
  let apiA: ServiceProcess;
  let apiB: ServiceProcess;
  let a: KafkaTenantScenario;
  let b: KafkaTenantScenario;
  const streams: SseStream[] = [];
  /** checkedAt -> checkId of every check sent, to match status changes to the check that caused them. */
  const checkAt = new Map<string, string>();
  /** Checks are dated a second apart in the order they are sent: an older check never changes a status. */
  let nextCheckAt = Date.now() - 60 * 60 * 1000;

  /** Opens a stream as the scenario's tenant, once the read models hold what its last command wrote (its API key). */
  const open = async (api: ServiceProcess, as: KafkaTenantScenario, query = '', headers: Record<string, string> = {}) => {
    const stream = await SseStream.open(api.url(`/v1/stream${query}`), {
      ...bearer(as.token),
      'x-consistency-token': as.position,
      ...headers,
    });
    streams.push(stream);
    return stream;
  };

  const checkAtOf = (checkId: string) => [...checkAt].find(([, id]) => id === checkId)![0];

  const sendChecks = async (scenario: KafkaTenantScenario, monitorId: string, statuses: Status[]) => {
    const checks = statuses.map((status) => {
      const checkedAt = new Date((nextCheckAt += 1000)).toISOString();
      const envelope = recordCheck(scenario.tenantId, monitorId, status, {
        checkedAt,
        errorMessage: status === 'up' ? undefined : 'HTTP 503',
      });
      const checkId = (envelope.payload as { checkId: string }).checkId;
      checkAt.set(checkedAt, checkId);
      return { envelope, checkId, status };
    });
    for (const { envelope } of checks) await scenario.accept(envelope);
    return checks;
  };

  beforeAll(async () => {
    pool = projectorPool();
    kafka = createKafkaClient({ ...testEnv.kafka, clientId: 'stream-e2e' }, { logLevel: 1 });
    processor = ServiceProcess.start('command-processor', env, await freePort());
    await processor.waitFor('/health/startup', 60000);
    projector = ServiceProcess.start('projector', env, await freePort());
    apiA = ServiceProcess.start('read-api', env, await freePort());
    apiB = ServiceProcess.start('read-api', { ...env, STREAM_REPLAY_RECORDS: '5' }, await freePort());
    await Promise.all([
      projector.waitFor('/health/startup', 90000),
      apiA.waitFor('/health/live', 90000),
      apiB.waitFor('/health/live', 90000),
    ]);
    client = await CommandClient.connect(kafka, topics);
    a = new KafkaTenantScenario(client, new Date());
    b = new KafkaTenantScenario(client, new Date());
    await a.create('pro');
    await b.create('pro');
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await client?.disconnect();
    await Promise.all([apiA?.stop(), apiB?.stop(), projector?.stop(), processor?.stop()]);
    if (pool) {
      const tenantIds = [a?.tenantId, b?.tenantId].filter((id) => id !== undefined);
      await deleteTenants(pool, tenantIds);
      await pool.query('DELETE FROM tenant_slug_reservations WHERE tenant_id = ANY($1::uuid[])', [tenantIds]);
      await pool.query('DELETE FROM projection_checkpoints WHERE topic LIKE $1', [`${prefix}%`]);
      await pool.query('DELETE FROM processor_snapshots WHERE stream = $1', [topics.commands]);
      await pool.end();
    }
    if (kafka) await deleteTestTopics(kafka, topics);
  });

  it('sends status changes and incidents (checks on request), filtered by monitor, each only once the read models show it', async () => {
    const [m1, m2] = [await a.createMonitor('one'), await a.createMonitor('two')];
    const all = await open(apiA, a);
    const checksOfM1 = await open(apiA, a, `?types=check.recorded&monitorId=${m1}`);
    expect(all.status).toBe(200);
    await all.waitFor((s) => s.of('stream.opened').length === 1, 10000);
    await checksOfM1.waitFor((s) => s.of('stream.opened').length === 1, 10000);
    // A check must be in the read models when its event arrives: looked up the moment it does.
    const lookups: Promise<number>[] = [];
    checksOfM1.onEvent((event) => {
      if (event.event !== 'check.recorded') return;
      const { checkId } = JSON.parse(event.data) as { checkId: string };
      lookups.push(
        pool.query('SELECT 1 FROM monitor_checks WHERE tenant_id = $1 AND id = $2', [a.tenantId, checkId]).then((r) => r.rowCount ?? 0),
      );
    });

    const first = await sendChecks(a, m1, ['up', 'down', 'error']);
    const second = await sendChecks(a, m2, ['down']);
    const third = await sendChecks(a, m1, ['up']);
    const expectedAll = [...expectedEvents([...first, ...third], false), ...expectedEvents(second, false)];
    await all.waitFor((s) => received(s, checkAt).length >= expectedAll.length, 20000, 'every status change and incident');
    await checksOfM1.waitFor((s) => s.of('check.recorded').length >= 4, 20000, "m1's checks");
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(received(all, checkAt).sort()).toEqual(expectedAll.sort());
    expect(received(checksOfM1, checkAt)).toEqual([...first, ...third].map((c) => `check.recorded:${c.checkId}`));
    expect(await Promise.all(lookups)).toEqual([1, 1, 1, 1]);
    const opened = all
      .of('incident.opened')
      .map((e) => JSON.parse(e.data) as { incidentId: string; monitorId: string; firstError: string });
    expect(opened).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ monitorId: m1, firstError: 'HTTP 503' }),
        expect.objectContaining({ monitorId: m2 }),
      ]),
    );

    // The id is a consistency token: the REST read at the last event's position shows what it told.
    const last = all.of('monitor.status_changed').at(-1)!;
    const monitor = await request(apiB.url(''))
      .get(`/v1/monitors/${(JSON.parse(last.data) as { monitorId: string }).monitorId}`)
      .set(bearer(a.token))
      .set('x-consistency-token', last.id!.split('.')[0])
      .expect(200);
    expect(monitor.body.status).toBe((JSON.parse(last.data) as { to: string }).to);

    // A status change that opens an incident is two events of one record: the first's id says so,
    // and resuming from it sends the second only.
    const changeToDown = all.events.findIndex((e) => e.event === 'monitor.status_changed' && e.id!.includes('.'));
    expect(all.events[changeToDown + 1].event).toBe('incident.opened');
    const resumed = await open(apiA, a, '', { 'last-event-id': all.events[changeToDown].id! });
    await resumed.waitFor((s) => s.events.length >= 2, 10000);
    expect(resumed.events[1].id).toBe(all.events[changeToDown + 1].id);
    expect(resumed.events[1].data).toBe(all.events[changeToDown + 1].data);
    for (const stream of [all, checksOfM1, resumed]) stream.close();
  });

  it("never carries another tenant's data, and refuses another tenant's position", async () => {
    const bMonitor = await b.createMonitor('b');
    const ofB = await open(apiA, b, '?types=check.recorded,monitor.status_changed,incident.opened,incident.resolved');
    await ofB.waitFor((s) => s.of('stream.opened').length === 1, 10000);
    const aMonitor = await a.createMonitor('a-only');
    const aChecks = await sendChecks(a, aMonitor, ['down', 'up', 'down']);
    const bChecks = await sendChecks(b, bMonitor, ['up']);
    await ofB.waitFor((s) => s.of('check.recorded').length >= 1 && s.of('monitor.status_changed').length >= 1, 20000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const seen = ofB.events.map((e) => e.data).join('\n');
    for (const check of aChecks) expect(seen).not.toContain(check.checkId);
    expect(seen).not.toContain(aMonitor);
    expect(received(ofB, checkAt).sort()).toEqual(expectedEvents(bChecks, true).sort());
    ofB.close();

    // A's position, sent by B: refused unless both tenants share a partition (then it is B's position too).
    const ofA = await open(apiA, a);
    await ofA.waitFor((s) => s.of('stream.opened').length === 1, 10000);
    const aPosition = ofA.events[0].id!;
    ofA.close();
    const bOpened = await open(apiA, b);
    await bOpened.waitFor((s) => s.of('stream.opened').length === 1, 10000);
    bOpened.close();
    const samePartition = decodeConsistencyToken(aPosition)!.partition === decodeConsistencyToken(bOpened.events[0].id!)!.partition;
    const crossed = await open(apiA, b, '', { 'last-event-id': aPosition });
    if (crossed.status === 200) crossed.close();
    else await crossed.ended;
    expect(crossed.status).toBe(samePartition ? 200 : 400);
    if (!samePartition) expect(JSON.parse(crossed.body)).toMatchObject({ status: 400, errors: [{ field: 'Last-Event-ID' }] });
  });

  it('sends maintenance.started and .ended with the checks that cross a window, and incident.resolved when a down monitor is deleted', async () => {
    const monitorId = await a.createMonitor('maintained');
    const stream = await open(apiA, a, `?monitorId=${monitorId}`);
    try {
      await stream.waitFor((s) => s.of('stream.opened').length === 1, 10000);
      const [before] = await sendChecks(a, monitorId, ['up']);
      // A window from just after that check to well ahead: the checks dated inside it are in maintenance until it is cancelled.
      const maintenanceWindowId = randomUUID();
      await a.accept(
        command('ScheduleMaintenance', a.tenantId, {
          maintenanceWindowId,
          monitorId,
          startsAt: new Date(nextCheckAt + 500).toISOString(),
          endsAt: new Date(Date.now() + 60 * 60 * 1000).toISOString(),
        }),
      );
      const [inside] = await sendChecks(a, monitorId, ['down']);
      await a.accept(command('CancelMaintenance', a.tenantId, { maintenanceWindowId }));
      const [after] = await sendChecks(a, monitorId, ['down']);
      await a.accept(command('DeleteMonitor', a.tenantId, { monitorId }));

      const expected = [
        `monitor.status_changed:${before.checkId}`,
        `maintenance.started:${inside.checkId}`,
        `maintenance.ended:${after.checkId}`,
        `monitor.status_changed:${after.checkId}`,
        `incident.opened:${after.checkId}`,
        'incident.resolved',
      ];
      await stream.waitFor((s) => s.events.length > expected.length, 20000, 'maintenance and incident events');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(received(stream, checkAt).map((e) => (e.startsWith('incident.resolved') ? 'incident.resolved' : e))).toEqual(expected);
      expect(JSON.parse(stream.of('maintenance.started')[0].data)).toEqual({
        monitorId,
        maintenanceWindowId,
        checkId: inside.checkId,
        startedAt: checkAtOf(inside.checkId),
      });
      // The incident the deletion ended is closed in the read models too (the API lists no deleted monitor's incidents).
      const resolvedAt = (JSON.parse(stream.of('incident.resolved')[0].data) as { resolvedAt: string }).resolvedAt;
      const { rows } = await pool.query<{ resolved_at: Date | null }>(
        'SELECT resolved_at FROM incidents WHERE tenant_id = $1 AND monitor_id = $2',
        [a.tenantId, monitorId],
      );
      expect(rows.map((row) => row.resolved_at?.toISOString())).toEqual([resolvedAt]);
    } finally {
      // The tenant's stream limit is shared with the next tests.
      stream.close();
    }
  });

  it('answers problem+json: 400 for bad parameters or Last-Event-ID, 401 without a credential, 429 beyond the tenant limit', async () => {
    const api = request(apiA.url(''));
    for (const [query, headers, field] of [
      ['?types=monitor.created', {}, 'types'],
      ['?monitorId=nope', {}, 'monitorId'],
      ['', { 'last-event-id': 'not-a-position' }, 'Last-Event-ID'],
      ['?lastEventId=djEucTM', {}, 'lastEventId'],
    ] as const) {
      const response = await api.get(`/v1/stream${query}`).set(bearer(a.token)).set(headers).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    await api
      .get('/v1/stream')
      .expect(401)
      .expect('content-type', /^application\/problem\+json/);
    // A position of the tenant's partition that the log has not reached: forged, never sent by us.
    const opened = await open(apiA, a);
    await opened.waitFor((s) => s.of('stream.opened').length === 1, 10000);
    opened.close();
    const { partition } = decodeConsistencyToken(opened.events[0].id!)!;
    const ahead = encodeConsistencyToken({ partition, eventsOffset: '999999999' });
    const beyond = await api.get('/v1/stream').set(bearer(a.token)).set('last-event-id', ahead).expect(400);
    expect(beyond.body.errors).toEqual([{ field: 'Last-Event-ID', message: 'is beyond the end of the stream' }]);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const held = await Promise.all(Array.from({ length: LIMIT }, () => open(apiA, a)));
    expect(held.map((s) => s.status)).toEqual(Array(LIMIT).fill(200));
    const refused = await open(apiA, a);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({ status: 429, type: expect.stringContaining('too-many-streams') });
    // Another tenant is not affected, and a closed stream frees its place.
    const other = await open(apiA, b);
    expect(other.status).toBe(200);
    other.close();
    held[0].close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const again = await open(apiA, a);
    expect(again.status).toBe(200);
    for (const stream of [...held, again]) stream.close();
  });

  it('resumes exactly on another instance after the first is killed (SIGKILL) mid-stream', async () => {
    const monitorId = await a.createMonitor('resume');
    const query = '?types=check.recorded,monitor.status_changed,incident.opened,incident.resolved';
    const first = await open(apiA, a, query);
    await first.waitFor((s) => s.of('stream.opened').length === 1, 10000);
    const statuses: Status[] = Array.from({ length: 120 }, (_, i) => (Math.floor(i / 7) % 2 === 0 ? 'up' : 'down'));
    const sending = sendChecks(a, monitorId, statuses);
    await first.waitFor((s) => s.of('check.recorded').length >= 30, 60000, 'a quarter of the checks');
    await apiA.kill();
    await first.ended;
    const second = await open(apiB, a, query, { 'last-event-id': first.lastEventId! });
    expect(second.status).toBe(200);
    const sent = await sending;
    const expected = expectedEvents(sent, true);
    const union = () => [...received(first, checkAt), ...received(second, checkAt)];
    await second.waitFor(() => union().length >= expected.length, 60000, 'the rest of the events');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(received(first, checkAt).length).toBeLessThan(expected.length);
    // Exactly the published events: none missing, none twice; each topic's events in their order
    // (a check and the status change it caused come from two topics, in either order).
    expect([...union()].sort()).toEqual([...expected].sort());
    const checksOnly = (events: string[]) => events.filter((e) => e.startsWith('check.'));
    expect(checksOnly(union())).toEqual(checksOnly(expected));
    expect(union().filter((e) => !e.startsWith('check.'))).toEqual(expected.filter((e) => !e.startsWith('check.')));
  });

  it('ends its streams cleanly on SIGTERM, and the process exits 0', async () => {
    const stream = await open(apiB, a);
    await stream.waitFor((s) => s.of('stream.opened').length === 1, 10000);
    const stopped = apiB.stop();
    await stream.ended;
    expect(await stopped).toBe(0);
  });
});
