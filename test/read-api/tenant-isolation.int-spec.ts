import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import type { Kafka } from 'kafkajs';
import type { EventEnvelope } from '@vinsight/contracts';
import { checkpointPayload, READ_MODEL_CHANNELS } from '@vinsight/database';
import type { TopicNames } from '@vinsight/kafka';
import { ReadModelsDatabase } from '../../libs/read-api/src/database/read-models.database';
import { encodeStreamPosition } from '../../libs/read-api/src/stream/stream-position';
import { SseStream } from '../../scripts/sse-client';
import { createTestTopics, deleteTestTopics, testKafka } from '../projections/support/projector-harness';
import { publishRecords, recordFor } from '../projections/support/raw-events';
import { testEnv } from '../test-env';
import { TenantSeed, bearer, hoursAgo } from './read-api.fixtures';
import { ReadApiTestApp, projectorPool, startReadApi } from './read-api.harness';

/**
 * Tenant isolation through the HTTP API: tenant A's credential never yields tenant B's data,
 * whether A names B's ids, replays cursors taken from B's pages, or filters by B's values; the
 * database enforces it even for a query with no tenant filter; and no input produces a 5xx.
 */
describe('tenant isolation', () => {
  let api: ReadApiTestApp;
  let pool: Pool;
  let a: TenantSeed;
  let b: TenantSeed;
  let bSecrets: string[];
  let aMonitorId: string;
  let requestsChecked = 0;

  const asA = (path: string) => request(api.server).get(path).set(bearer(a.token));
  const asB = (path: string) => request(api.server).get(path).set(bearer(b.token));

  /** Nothing that identifies B may appear in an answer to A, unless A's own request carried it (an echo). */
  function expectNothingOfB(response: request.Response) {
    requestsChecked++;
    expect(response.status).toBeLessThan(500);
    const text = response.text.toLowerCase();
    const sent = safeDecode(String((response as unknown as { req: { path: string } }).req.path)).toLowerCase();
    for (const secret of bSecrets) {
      if (sent.includes(secret)) continue;
      if (text.includes(secret)) throw new Error(`answer to A contains B's ${secret}: ${response.status} ${response.text.slice(0, 300)}`);
    }
  }

  const safeDecode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };

  beforeAll(async () => {
    pool = projectorPool();
    a = await new TenantSeed(pool).insertStandard();
    b = await new TenantSeed(pool).insertStandard();
    aMonitorId = a.monitors[0].id;
    for (const seed of [a, b]) {
      await seed.insertRollup('hourly', seed.monitors[0].id, hoursAgo(2), { up: 5, down: 1, error: 0, responseTimeMs: 80 });
      await seed.rollUpDays(seed.monitors[0].id);
      await seed.insertMaintenanceWindow(seed.monitors[0].id);
      await seed.insertMaintenanceWindow(null);
    }
    bSecrets = [
      b.tenantId,
      b.slug,
      b.apiKeyId,
      b.deletedMonitorId,
      ...b.users.flatMap((u) => [u.id, u.email.toLowerCase()]),
      ...b.monitors.flatMap((m) => [m.id, m.name.toLowerCase()]),
      ...b.checks.map((c) => c.id),
      ...b.incidents.map((i) => i.id),
      ...b.events.map((e) => e.eventId),
      ...b.maintenanceWindows,
    ];
    api = await startReadApi();
  });

  afterAll(async () => {
    await api?.close();
    await a?.delete();
    await b?.delete();
    await pool?.end();
    // Figures for the hand-over note.
    process.stdout.write(
      `tenant isolation: ${requestsChecked} answers to tenant A checked for tenant B's ${bSecrets.length} identifiers\n`,
    );
  });

  it("answers 404 to every path naming one of B's ids", async () => {
    const bMonitor = b.monitors[0].id;
    const paths = [
      `/v1/users/${b.users[0].id}`,
      `/v1/monitors/${bMonitor}`,
      `/v1/monitors/${bMonitor}/checks`,
      `/v1/monitors/${bMonitor}/uptime?window=30d`,
      `/v1/monitors/${bMonitor}/stats`,
      `/v1/monitors/${bMonitor}/incidents`,
      ...b.monitors.slice(1).map((m) => `/v1/monitors/${m.id}`),
    ];
    for (const path of paths) {
      const response = await asA(path);
      expectNothingOfB(response);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      // The same path works for B: A's 404 is isolation, not a broken route.
      expect((await asB(path)).status).toBe(200);
    }
  });

  it("returns none of B's rows when A filters by B's values", async () => {
    const filters = [
      `/v1/incidents?monitorId=${b.monitors[0].id}`,
      `/v1/incidents?monitorId=${b.monitors[1].id}&open=false`,
      `/v1/monitors?q=${encodeURIComponent(b.slug)}`,
      `/v1/monitors?q=${encodeURIComponent(b.monitors[0].name)}`,
      `/v1/audit-events?type=MonitorCreated`,
      `/v1/users?role=owner`,
      `/v1/maintenance-windows?monitorId=${b.monitors[0].id}&active=true`,
    ];
    for (const path of filters) {
      const response = await asA(path);
      expect(response.status).toBe(200);
      expectNothingOfB(response);
    }
    expect((await asA(`/v1/incidents?monitorId=${b.monitors[0].id}`)).body.data).toEqual([]);
    expect((await asA(`/v1/monitors?q=${encodeURIComponent(b.slug)}`)).body.data).toEqual([]);
    // only A's own window for every monitor covers a monitor id A does not have
    const windows = (await asA(`/v1/maintenance-windows?monitorId=${b.monitors[0].id}`)).body.data;
    expect(windows.map((w: { id: string; monitorId: string | null }) => [w.id, w.monitorId])).toEqual([[a.maintenanceWindows[1], null]]);
  });

  it("returns only A's rows for cursors taken from B's pages", async () => {
    const lists = [
      { a: '/v1/users', b: '/v1/users' },
      { a: '/v1/monitors', b: '/v1/monitors' },
      { a: '/v1/maintenance-windows', b: '/v1/maintenance-windows' },
      { a: `/v1/monitors/${aMonitorId}/checks`, b: `/v1/monitors/${b.monitors[0].id}/checks` },
      { a: `/v1/monitors/${aMonitorId}/incidents`, b: `/v1/monitors/${b.monitors[0].id}/incidents` },
      { a: '/v1/incidents', b: '/v1/incidents' },
      { a: '/v1/audit-events', b: '/v1/audit-events' },
    ];
    for (const list of lists) {
      const bPage = await asB(`${list.b}?limit=1`).expect(200);
      expect(bPage.body.nextCursor).toEqual(expect.any(String));
      const response = await asA(`${list.a}?limit=500&cursor=${bPage.body.nextCursor}`);
      expect(response.status).toBe(200);
      expectNothingOfB(response);
    }
  });

  it("never lists B's rows on any of A's lists and summaries", async () => {
    const aIds = {
      users: a.users.filter((u) => !u.deleted).map((u) => u.id),
      monitors: a.monitors.map((m) => m.id),
    };
    for (const path of [
      '/v1/tenant',
      '/v1/users?limit=500',
      '/v1/monitors?limit=500',
      '/v1/incidents?limit=500',
      '/v1/audit-events?limit=500',
      '/v1/summary',
      `/v1/monitors/${aMonitorId}/checks?limit=500`,
      `/v1/monitors/${aMonitorId}/uptime?window=90d`,
      `/v1/monitors/${aMonitorId}/stats?granularity=hour`,
    ]) {
      const response = await asA(path).expect(200);
      expectNothingOfB(response);
    }
    expect((await asA('/v1/users?limit=500')).body.data.map((u: { id: string }) => u.id)).toEqual(aIds.users);
    expect((await asA('/v1/monitors?limit=500')).body.data.map((m: { id: string }) => m.id)).toEqual(aIds.monitors);
    expect((await asA('/v1/tenant')).body.id).toBe(a.tenantId);
  });

  it('keeps a query without any tenant filter to the current tenant under the API role (RLS)', async () => {
    const database = api.app.get(ReadModelsDatabase);
    const context = { tenantId: a.tenantId, credentialId: a.apiKeyId, target: 'primary' as const };
    // Deliberately unfiltered: no tenant_id in the WHERE clause.
    const monitors = await database.transaction(context, (tx) => tx.monitor.findMany({ select: { tenantId: true, id: true } }));
    expect(monitors.length).toBeGreaterThan(0);
    expect(new Set(monitors.map((m) => m.tenantId))).toEqual(new Set([a.tenantId]));
    const tables = [
      'tenants',
      'users',
      'api_keys',
      'monitors',
      'monitor_checks',
      'monitor_check_rollups_hourly',
      'monitor_check_rollups_daily',
      'incidents',
      'audit_events',
    ];
    for (const table of tables) {
      const column = table === 'tenants' ? 'id' : 'tenant_id';
      const rows = await database.prepared<{ tenant: string }>(
        context,
        { name: `rls_probe_${table}`, types: [], text: `SELECT DISTINCT ${column}::text AS tenant FROM ${table}` },
        [],
      );
      expect({ table, tenants: rows.map((r) => r.tenant) }).toEqual({ table, tenants: [a.tenantId] });
      const raw = await database.transaction(context, (tx) =>
        tx.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} = $1::uuid`, b.tenantId),
      );
      expect({ table, rowsOfB: raw[0].n }).toEqual({ table, rowsOfB: 0 });
    }
    // The API role without a tenant setting sees nothing at all.
    const { rows } = await database.primaryPool.query('SELECT count(*)::int AS n FROM monitors');
    expect(rows[0].n).toBe(0);
    // ...and cannot write even if it tried.
    await expect(
      database.transaction(context, (tx) => tx.$executeRawUnsafe(`DELETE FROM monitors WHERE tenant_id = $1::uuid`, a.tenantId)),
    ).rejects.toThrow();
  });

  describe('property-based fuzzing (fast-check, fixed seeds): never a 5xx, never B', () => {
    const ENDPOINTS = [
      '/v1/tenant',
      '/v1/users',
      '/v1/users/{id}',
      '/v1/monitors',
      '/v1/monitors/{id}',
      '/v1/monitors/{id}/checks',
      '/v1/monitors/{id}/uptime',
      '/v1/monitors/{id}/stats',
      '/v1/monitors/{id}/incidents',
      '/v1/incidents',
      '/v1/summary',
      '/v1/audit-events',
      '/v1/maintenance-windows',
    ];
    const PARAMETERS = [
      'limit',
      'cursor',
      'role',
      'active',
      'status',
      'q',
      'from',
      'to',
      'window',
      'granularity',
      'open',
      'monitorId',
      'type',
    ];

    const decodable = (text: string) => {
      try {
        decodeURIComponent(text);
        return true;
      } catch {
        return false;
      }
    };
    const idArbitrary = () =>
      fc.oneof(
        fc.constantFrom(...b.monitors.map((m) => m.id), b.users[0].id, b.deletedMonitorId, aMonitorId, a.users[0].id),
        fc.uuid().map((u) => u.toUpperCase()),
        fc.string({ maxLength: 40 }),
        fc.string({ unit: 'grapheme', maxLength: 20 }),
        fc.constantFrom('%00', '..', '%2e%2e', "'; SELECT 1; --", '0', '-1', '9'.repeat(400), '%ZZ', '{id}'),
      );
    const valueArbitrary = () =>
      fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
        fc.double({ noNaN: false }).map(String),
        fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()),
        fc.constantFrom(
          'true',
          'false',
          'up',
          'down',
          'unknown',
          'error',
          'owner',
          '24h',
          '30d',
          'minute',
          'hour',
          'day',
          'auto',
          '',
          '\u0000',
          '%',
        ),
        fc.constantFrom(...b.monitors.map((m) => m.id), b.slug, b.tenantId),
        fc.base64String({ maxLength: 80 }).map((s) => s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')),
        fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url')),
      );
    const queryArbitrary = () =>
      fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PARAMETERS), fc.string({ maxLength: 12 })), valueArbitrary()), { maxLength: 6 });

    it('for random paths, ids and query strings', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ENDPOINTS),
          idArbitrary(),
          queryArbitrary(),
          fc.boolean(),
          async (endpoint, id, query, rawId) => {
            const idPart = rawId ? id.replace(/[\s/?#]/g, '') || 'x' : encodeURIComponent(id);
            const search = query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
            const response = await asA(endpoint.replace('{id}', idPart) + (search ? `?${search}` : ''));
            expectNothingOfB(response);
            // A path Fastify's router refuses before Nest sees it (undecodable like `%ZZ`, or a
            // parameter over its maxParamLength of 100) gets Fastify's plain JSON 4xx; every other
            // error is problem+json.
            if (response.status >= 400 && decodable(idPart) && idPart.length <= 100)
              expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
          },
        ),
        { seed: 20260115, numRuns: 600 },
      );
    });

    it('for random raw query strings', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ENDPOINTS), fc.string({ maxLength: 80 }), async (endpoint, raw) => {
          const response = await asA(endpoint.replace('{id}', aMonitorId) + '?' + encodeURI(raw).replace(/#/g, '%23'));
          expectNothingOfB(response);
        }),
        { seed: 42, numRuns: 300 },
      );
    });

    it('for random credentials and consistency tokens', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string({ maxLength: 100 }),
            fc.constant(`Bearer ${a.token}`),
            fc.string({ maxLength: 100 }).map((s) => `Bearer ${s}`),
          ),
          fc.option(fc.oneof(fc.string({ maxLength: 60 }), fc.base64String({ maxLength: 60 })), { nil: undefined }),
          async (authorization, consistency) => {
            const call = request(api.server)
              .get(`/v1/monitors/${aMonitorId}`)
              .set('authorization', authorization.replace(/[\r\n]/g, ''));
            if (consistency !== undefined) call.set('x-consistency-token', consistency.replace(/[\r\n]/g, ''));
            const response = await call;
            expectNothingOfB(response);
          },
        ),
        { seed: 7, numRuns: 200 },
      );
    });
  });

  describe('GET /v1/stream, with A and B on one partition', () => {
    let kafka: Kafka;
    let topics: TopicNames;
    let streamApi: ReadApiTestApp;
    let baseUrl: string;
    const streams: SseStream[] = [];
    let published = 0;

    /** A status change of the tenant's monitor, as the processor writes it; B's carries B's monitor id and name. */
    const statusChanged = (seed: TenantSeed, to: 'up' | 'down') => {
      const monitor = seed.monitors[0];
      const envelope = {
        eventId: randomUUID(),
        type: 'MonitorStatusChanged',
        schemaVersion: 1,
        tenantId: seed.tenantId,
        aggregateType: 'monitor',
        aggregateId: monitor.id,
        version: 10 + published,
        occurredAt: hoursAgo(1).toISOString(),
        commandId: randomUUID(),
        correlationId: randomUUID(),
        payload: {
          monitorId: monitor.id,
          from: to === 'down' ? 'up' : 'down',
          to,
          checkId: randomUUID(),
          checkedAt: hoursAgo(1).toISOString(),
          ...(to === 'down' && { errorMessage: `down: ${monitor.name}` }),
        },
      } as EventEnvelope;
      return recordFor(topics.events, seed.tenantId, envelope);
    };

    /** Publishes the records and moves the projector's checkpoint past them, as the projector would after applying them. */
    async function publishAndProject(records: ReturnType<typeof statusChanged>[]) {
      const admin = kafka.admin();
      await admin.connect();
      // The end a read_committed reader sees (the last stable offset) moves once the commit's
      // markers are written, after commit() returns: seconds later on a broker that has just
      // started. A checkpoint before the records would keep them from every stream.
      const endOf = async () => BigInt((await admin.fetchTopicOffsets(topics.events))[0].high);
      let nextOffset: bigint;
      try {
        const before = await endOf();
        await publishRecords(kafka, `isolation-stream-${randomUUID()}`, records);
        published += records.length;
        const deadline = Date.now() + 30_000;
        while ((nextOffset = await endOf()) < before + BigInt(records.length)) {
          if (Date.now() > deadline)
            throw new Error(`the records' commit is not visible within 30 s (end ${nextOffset}, before ${before})`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        await admin.disconnect();
      }
      await pool.query(
        `INSERT INTO projection_checkpoints (projection, topic, partition, next_offset) VALUES ('read-models', $1, 0, $2)
         ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
        [topics.events, nextOffset.toString()],
      );
      await pool.query('SELECT pg_notify($1, $2)', [
        READ_MODEL_CHANNELS.checkpoint,
        checkpointPayload({ topic: topics.events, partition: 0, nextOffset }),
      ]);
    }

    async function openAsA(lastEventId?: string): Promise<SseStream> {
      const stream = await SseStream.open(`${baseUrl}/v1/stream`, {
        ...bearer(a.token),
        ...(lastEventId !== undefined && { 'last-event-id': lastEventId }),
      });
      streams.push(stream);
      expect(stream.status).toBe(200);
      return stream;
    }

    /** A's stream, once it shows A's `count` status changes: by then every record before them has passed (one partition, in order). */
    async function expectOnlyA(what: string, stream: SseStream, count: number) {
      await stream.waitFor((s) => s.of('monitor.status_changed').length >= count, 15_000, `A's ${count} status changes`);
      const text = JSON.stringify(stream.events).toLowerCase();
      requestsChecked++;
      for (const secret of bSecrets) {
        if (text.includes(secret))
          throw new Error(`A's ${what} stream carries B's ${secret}: ${JSON.stringify(stream.events).slice(0, 400)}`);
      }
      for (const event of stream.of('monitor.status_changed', 'incident.opened', 'incident.resolved')) {
        expect(JSON.parse(event.data).monitorId).toBe(aMonitorId);
      }
    }

    beforeAll(async () => {
      kafka = testKafka('isolation-stream');
      // One partition: every tenant shares it, as tenants whose ids hash alike do on any cluster.
      topics = await createTestTopics(kafka, 'isolationstream', 1);
      streamApi = await startReadApi({
        env: { KAFKA_TOPIC_PREFIX: topics.events.slice(0, -'events'.length), ...testEnv.kafkaSecurityEnvironment },
      });
      await streamApi.app.listen(0, '127.0.0.1');
      baseUrl = await streamApi.app.getUrl();
      // Offset 0: B's, written and projected before any stream opens, so a replay from the start reads it from Kafka.
      await publishAndProject([statusChanged(b, 'down'), statusChanged(a, 'down')]);
    });

    afterAll(async () => {
      for (const stream of streams) stream.close();
      await streamApi?.close();
      await pool.query('DELETE FROM projection_checkpoints WHERE topic = ANY($1::text[])', [[topics.events, topics.checkEvents]]);
      await deleteTestTopics(kafka, topics);
    });

    it("replays from Kafka (Last-Event-ID before the first record) only A's events", async () => {
      const fromStart = await openAsA(encodeStreamPosition({ partition: 0, events: -1n, checks: -1n }));
      await expectOnlyA('replayed from Kafka', fromStart, 1);
    });

    it("sends live only A's events, and replays from memory (a recent Last-Event-ID) only A's", async () => {
      const live = await openAsA();
      await live.waitFor((s) => s.of('stream.opened').length === 1, 15_000, 'stream.opened');
      const opened = live.of('stream.opened')[0].id!;
      await publishAndProject([statusChanged(b, 'up'), statusChanged(a, 'up'), statusChanged(b, 'down'), statusChanged(a, 'down')]);
      await expectOnlyA('live', live, 2);
      // These records were released while this process served streams: the replay comes from its ring.
      const resumed = await openAsA(opened);
      await expectOnlyA('replayed from memory', resumed, 2);
      expect(resumed.of('monitor.status_changed').map((e) => e.data)).toEqual(live.of('monitor.status_changed').map((e) => e.data));
    });
  });

  it('checked well over a thousand answers (the properties were not vacuous)', async () => {
    expect(requestsChecked).toBeGreaterThan(1100);
    expect((await asA(`/v1/monitors/${randomUUID()}`)).status).toBe(404);
  });
});
