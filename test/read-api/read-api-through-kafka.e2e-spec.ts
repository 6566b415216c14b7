import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import request from 'supertest';
import { CommandClient, createKafkaClient, topicNames } from '@vinsight/kafka';
import { command } from '../commands/commands';
import { ServiceProcess, freePort, roleEnvironment } from '../e2e/service-process';
import { deleteTestTopics } from '../projections/support/projector-harness';
import { testEnv } from '../test-env';
import { KafkaTenantScenario, ScenarioCheck } from './kafka-tenant.scenario';
import { bearer, deleteTenants } from './read-api.fixtures';
import { projectorPool } from './read-api.harness';

const JWT_SECRET = `e2e-secret-${randomUUID()}`;
const byNewest = (a: { checkedAt: Date }, b: { checkedAt: Date }) => b.checkedAt.getTime() - a.checkedAt.getTime();
const ids = (response: request.Response, key = 'id') => response.body.data.map((row: Record<string, string>) => row[key]);
/** The fields a 400 names (a field breaking several rules is named once per rule). */
const fields = (response: request.Response) => [...new Set<string>(response.body.errors.map((e: { field: string }) => e.field))].sort();

/**
 * openapi.yaml end to end on the real services: the command processor, the projector and the
 * read API run as the built apps (dist/), every read model row is produced by commands published
 * to Kafka, and every read waits for its writes with the command result's position as
 * X-Consistency-Token. Two tenants: B exists so that A can never see it.
 */
describe('read API on data produced through Kafka', () => {
  const prefix = `e2e.readapi.${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(prefix);
  const env = roleEnvironment({
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_CLIENT_ID: `e2e-readapi-${randomUUID().slice(0, 8)}`,
    KAFKA_PARTITIONS: '3',
    MIGRATE_ON_START: 'false',
    READ_API_RATE_LIMIT_PER_SECOND: '0',
    JWT_HS256_SECRET: JWT_SECRET,
  });
  let kafka: Kafka;
  let client: CommandClient;
  let pool: Pool;
  let processor: ServiceProcess;
  let projector: ServiceProcess;
  let api: ServiceProcess;
  let a: KafkaTenantScenario;
  let b: KafkaTenantScenario;

  // Tenant A's world (see beforeAll).
  const users: Record<'owner' | 'admin' | 'user' | 'deactivated' | 'removed', { id: string; email: string }> = {} as never;
  const monitors = { checkout: '', home: '', search: '', legacy: '', paused: '' };
  const revocableToken = `vik_${randomUUID()}`;
  const revocableKeyId = randomUUID();
  let homeCheck: ScenarioCheck;
  let bMonitor: string;
  let bUser: string;

  /** GET as tenant A (or with `token`), reading at least what A's last command wrote. */
  const get = (path: string, token = a.token, position = a.position) =>
    request(api.url('')).get(path).set(bearer(token)).set('x-consistency-token', position);

  beforeAll(async () => {
    pool = projectorPool();
    kafka = createKafkaClient({ ...testEnv.kafka, clientId: 'read-api-e2e' }, { logLevel: 1 });
    processor = ServiceProcess.start('command-processor', env, await freePort());
    await processor.waitFor('/health/startup', 60000);
    projector = ServiceProcess.start('projector', env, await freePort());
    api = ServiceProcess.start('read-api', env, await freePort());
    await Promise.all([projector.waitFor('/health/startup', 60000), api.waitFor('/health/live')]);
    client = await CommandClient.connect(kafka, topics);

    const now = new Date();
    a = new KafkaTenantScenario(client, now);
    b = new KafkaTenantScenario(client, now);
    await a.create('pro');
    await a.issueApiKey(revocableKeyId, revocableToken);
    users.owner = await a.registerUser('owner');
    await a.accept(command('RecordUserLogin', a.tenantId, { userId: users.owner.id, at: a.minutesAgo(5).toISOString() }));
    users.admin = await a.registerUser('admin');
    users.user = await a.registerUser('user');
    users.deactivated = await a.registerUser('user');
    await a.accept(command('DeactivateUser', a.tenantId, { userId: users.deactivated.id }));
    users.removed = await a.registerUser('user');
    await a.accept(command('RemoveUser', a.tenantId, { userId: users.removed.id }));

    monitors.checkout = await a.createMonitor('Checkout API');
    monitors.home = await a.createMonitor('Home page');
    await a.accept(command('UpdateMonitor', a.tenantId, { monitorId: monitors.home, name: 'Home page (www)', checkInterval: 120 }));
    monitors.search = await a.createMonitor('Search');
    monitors.legacy = await a.createMonitor('Legacy checkout');
    monitors.paused = await a.createMonitor('Status page');

    // legacy: down, then deleted (its incident must never be served); paused: up, then paused.
    await a.check(monitors.legacy, 'up', 55, 90);
    await a.check(monitors.legacy, 'down', 45, 900, 'HTTP 500');
    await a.accept(command('DeleteMonitor', a.tenantId, { monitorId: monitors.legacy }));
    await a.check(monitors.paused, 'up', 50, 80);
    await a.accept(command('PauseMonitor', a.tenantId, { monitorId: monitors.paused }));
    homeCheck = await a.check(monitors.home, 'up', 20, 60);
    // checkout: up, down, up (a resolved incident), down again (an open one). The last command
    // changes the status, so its position covers both `events` and `check-events`.
    await a.check(monitors.checkout, 'up', 50, 100);
    await a.check(monitors.checkout, 'down', 40, 5000, 'HTTP 503');
    await a.check(monitors.checkout, 'up', 30, 140);
    await a.check(monitors.checkout, 'down', 10, 3000, 'timeout');

    await b.create('free');
    bUser = (await b.registerUser('owner')).id;
    bMonitor = await b.createMonitor('Checkout API');
    await b.check(bMonitor, 'up', 30, 70);
    await b.check(bMonitor, 'down', 20, 700, 'HTTP 502');
    // B's reads are written before A's token is used, so A's assertions can count B's absence.
    await get('/v1/tenant', b.token, b.position).expect(200);
  });

  afterAll(async () => {
    await client?.disconnect();
    await Promise.all([api?.stop(), projector?.stop(), processor?.stop()]);
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

  describe('GET /v1/tenant', () => {
    it('returns the tenant of the credential, with an ETag that changes with the tenant', async () => {
      const first = await get('/v1/tenant').expect(200);
      expect(first.body).toEqual({
        id: a.tenantId,
        name: `Tenant ${a.slug}`,
        slug: a.slug,
        plan: 'pro',
        isActive: true,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(first.headers['content-type']).toMatch(/^application\/json/);
      const notModified = await get('/v1/tenant').set('if-none-match', first.headers.etag).expect(304);
      expect(notModified.text).toBe('');

      await a.accept(command('RenameTenant', a.tenantId, { name: `Renamed ${a.slug}` }));
      const renamed = await get('/v1/tenant').set('if-none-match', first.headers.etag).expect(200);
      expect(renamed.body).toMatchObject({ name: `Renamed ${a.slug}`, createdAt: first.body.createdAt });
      expect(renamed.body.updatedAt > first.body.updatedAt).toBe(true);
      expect(renamed.headers.etag).not.toBe(first.headers.etag);
    });

    it('accepts an HS256 JWT naming the tenant in tenant_id', async () => {
      const jwt = await new SignJWT({ tenant_id: a.tenantId })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('dashboard')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(JWT_SECRET));
      const response = await get('/v1/tenant', jwt).expect(200);
      expect(response.body.id).toBe(a.tenantId);
    });
  });

  describe('users', () => {
    it('lists live users oldest first, never a password hash', async () => {
      const response = await get('/v1/users').expect(200);
      expect(ids(response)).toEqual([users.owner.id, users.admin.id, users.user.id, users.deactivated.id]);
      expect(response.body.nextCursor).toBeNull();
      expect(response.body.data[0]).toEqual({
        id: users.owner.id,
        email: users.owner.email,
        role: 'owner',
        isActive: true,
        lastLoginAt: a.minutesAgo(5).toISOString(),
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(JSON.stringify(response.body)).not.toContain('$2b$');
    });

    it('pages with limit and cursor and filters by role and active', async () => {
      const first = await get('/v1/users?limit=3').expect(200);
      expect(ids(first)).toEqual([users.owner.id, users.admin.id, users.user.id]);
      const second = await get(`/v1/users?limit=3&cursor=${first.body.nextCursor}`).expect(200);
      expect(ids(second)).toEqual([users.deactivated.id]);
      expect(second.body.nextCursor).toBeNull();
      expect(ids(await get('/v1/users?role=admin').expect(200))).toEqual([users.admin.id]);
      expect(ids(await get('/v1/users?role=user&active=true').expect(200))).toEqual([users.user.id]);
      expect(ids(await get('/v1/users?active=false').expect(200))).toEqual([users.deactivated.id]);
    });

    it('refuses bad parameters with problem+json field errors', async () => {
      const response = await get('/v1/users?limit=501&role=root&active=yes&cursor=@@&tenantId=' + b.tenantId).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ type: 'urn:vinsight:problem:validation-failed', title: 'Bad Request', status: 400 });
      expect(fields(response)).toEqual(['active', 'cursor', 'limit', 'role', 'tenantId']);
    });

    it("returns one user; removed, unknown, malformed and other tenants' ids are 404", async () => {
      const response = await get(`/v1/users/${users.admin.id}`).expect(200);
      expect(response.body).toMatchObject({
        id: users.admin.id,
        email: users.admin.email,
        role: 'admin',
        isActive: true,
        lastLoginAt: null,
      });
      await get(`/v1/users/${users.admin.id}`).set('if-none-match', response.headers.etag).expect(304);
      for (const id of [users.removed.id, bUser, randomUUID(), 'not-a-uuid']) {
        const missing = await get(`/v1/users/${id}`).expect(404);
        expect(missing.body).toMatchObject({ status: 404, type: 'urn:vinsight:problem:not-found' });
      }
    });
  });

  describe('monitors', () => {
    it('lists live monitors oldest first in the contract shape', async () => {
      const response = await get('/v1/monitors').expect(200);
      expect(ids(response)).toEqual([monitors.checkout, monitors.home, monitors.search, monitors.paused]);
      expect(response.body.data[1]).toEqual({
        id: monitors.home,
        name: 'Home page (www)',
        url: `https://${a.slug}.example.com/${monitors.home}`,
        checkInterval: 120,
        isActive: true,
        status: 'up',
        lastCheckedAt: homeCheck.checkedAt.toISOString(),
        lastResponseTimeMs: 60,
        inMaintenance: false,
        maintenanceWindowId: null,
        version: 3,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });

    it('filters by status, active and q, and pages with limit and cursor', async () => {
      expect(ids(await get('/v1/monitors?status=down').expect(200))).toEqual([monitors.checkout]);
      expect(ids(await get('/v1/monitors?status=up').expect(200))).toEqual([monitors.home, monitors.paused]);
      expect(ids(await get('/v1/monitors?status=unknown').expect(200))).toEqual([monitors.search]);
      expect(ids(await get('/v1/monitors?active=false').expect(200))).toEqual([monitors.paused]);
      expect(ids(await get('/v1/monitors?active=true&status=up').expect(200))).toEqual([monitors.home]);
      // B has a monitor of the same name; the deleted "Legacy checkout" matches too, and neither is served.
      expect(ids(await get('/v1/monitors?q=checkout').expect(200))).toEqual([monitors.checkout]);
      const first = await get('/v1/monitors?limit=3').expect(200);
      const second = await get(`/v1/monitors?limit=3&cursor=${first.body.nextCursor}`).expect(200);
      expect([...ids(first), ...ids(second)]).toEqual([monitors.checkout, monitors.home, monitors.search, monitors.paused]);
      expect(second.body.nextCursor).toBeNull();
    });

    it('refuses bad filters with field errors', async () => {
      const response = await get(`/v1/monitors?status=sideways&active=1&limit=0&q=${'x'.repeat(256)}`).expect(400);
      expect(fields(response)).toEqual(['active', 'limit', 'q', 'status']);
    });

    it("returns one monitor with an ETag; deleted, unknown, malformed and other tenants' ids are 404", async () => {
      const response = await get(`/v1/monitors/${monitors.checkout}`).expect(200);
      expect(response.body).toMatchObject({
        id: monitors.checkout,
        name: 'Checkout API',
        status: 'down',
        isActive: true,
        lastResponseTimeMs: 3000,
      });
      await get(`/v1/monitors/${monitors.checkout}`).set('if-none-match', response.headers.etag).expect(304);
      expect((await get(`/v1/monitors/${monitors.paused}`).expect(200)).body).toMatchObject({ isActive: false, status: 'up' });
      for (const id of [monitors.legacy, bMonitor, randomUUID(), 'nope']) await get(`/v1/monitors/${id}`).expect(404);
      expect((await get(`/v1/monitors/${bMonitor}`, b.token, b.position).expect(200)).body.id).toBe(bMonitor);
    });
  });

  describe('GET /v1/monitors/:id/checks', () => {
    const path = () => `/v1/monitors/${monitors.checkout}/checks`;

    it('returns checks newest first in the contract shape', async () => {
      const expected = a.checksOf(monitors.checkout).sort(byNewest);
      const response = await get(path()).expect(200);
      expect(ids(response)).toEqual(expected.map((c) => c.id));
      expect(response.body.data[0]).toEqual({
        id: expected[0].id,
        status: 'down',
        responseTimeMs: 3000,
        statusCode: 503,
        errorMessage: 'timeout',
        region: 'eu-west-1',
        checkedAt: expected[0].checkedAt.toISOString(),
        inMaintenance: false,
      });
    });

    it('filters by from, to and status and pages with limit and cursor', async () => {
      const expected = a.checksOf(monitors.checkout).sort(byNewest);
      const window = await get(`${path()}?from=${a.minutesAgo(40).toISOString()}&to=${a.minutesAgo(10).toISOString()}`).expect(200);
      expect(ids(window)).toEqual(
        expected.filter((c) => c.checkedAt >= a.minutesAgo(40) && c.checkedAt < a.minutesAgo(10)).map((c) => c.id),
      );
      expect(ids(await get(`${path()}?status=up`).expect(200))).toEqual(expected.filter((c) => c.status === 'up').map((c) => c.id));
      expect(ids(await get(`${path()}?status=error`).expect(200))).toEqual([]);
      // Every check of this workload ran in eu-west-1 (CheckRecorded v2 carries it through the projector).
      expect(ids(await get(`${path()}?region=EU-West-1`).expect(200))).toEqual(expected.map((c) => c.id));
      expect(ids(await get(`${path()}?region=us-east-1`).expect(200))).toEqual([]);
      const byRegion = await get(`/v1/monitors/${monitors.checkout}/uptime?by=region`).expect(200);
      expect(byRegion.body.regions).toEqual([expect.objectContaining({ region: 'eu-west-1', totalChecks: expected.length })]);
      const first = await get(`${path()}?limit=3`).expect(200);
      const second = await get(`${path()}?limit=3&cursor=${first.body.nextCursor}`).expect(200);
      expect([...ids(first), ...ids(second)]).toEqual(expected.map((c) => c.id));
      expect(second.body.nextCursor).toBeNull();
    });

    it("refuses bad parameters; 404 for deleted and other tenants' monitors", async () => {
      const response = await get(`${path()}?from=yesterday&to=2026-13-45T00:00:00Z&status=up,down&limit=x`).expect(400);
      expect(fields(response)).toEqual(['from', 'limit', 'status', 'to']);
      await get(`${path()}?from=${a.minutesAgo(1).toISOString()}&to=${a.minutesAgo(2).toISOString()}`).expect(400);
      await get(`/v1/monitors/${monitors.legacy}/checks`).expect(404);
      await get(`/v1/monitors/${bMonitor}/checks`).expect(404);
    });
  });

  describe('GET /v1/monitors/:id/uptime', () => {
    it('counts checks, incidents and downtime from what the projector rolled up, for every window', async () => {
      const openSince = a.minutesAgo(10);
      for (const window of ['24h', '7d', '30d', '90d']) {
        const before = Date.now();
        const response = await get(`/v1/monitors/${monitors.checkout}/uptime${window === '24h' ? '' : `?window=${window}`}`).expect(200);
        const after = Date.now();
        expect(response.body).toMatchObject({
          window,
          totalChecks: 4,
          upChecks: 2,
          downChecks: 2,
          errorChecks: 0,
          uptimePercent: 50,
          incidentCount: 2,
          maintenanceChecks: 0,
          maintenanceSeconds: 0,
          avgResponseTimeMs: (100 + 5000 + 140 + 3000) / 4,
        });
        // 10 minutes resolved, plus the open incident up to the answer's `to`.
        const to = Date.parse(response.body.to);
        expect(to).toBeGreaterThanOrEqual(before - 1);
        expect(to).toBeLessThanOrEqual(after + 1);
        expect(response.body.downtimeSeconds).toBeCloseTo(600 + (to - openSince.getTime()) / 1000, 2);
        expect(response.body.p95ResponseTimeMs).toBeGreaterThanOrEqual(3000);
      }
    });

    it("refuses unknown windows; 404 for deleted and other tenants' monitors", async () => {
      expect(fields(await get(`/v1/monitors/${monitors.checkout}/uptime?window=1y`).expect(400))).toEqual(['window']);
      await get(`/v1/monitors/${monitors.legacy}/uptime`).expect(404);
      await get(`/v1/monitors/${bMonitor}/uptime`).expect(404);
    });
  });

  describe('GET /v1/monitors/:id/stats', () => {
    const path = () => `/v1/monitors/${monitors.checkout}/stats`;
    const total = (response: request.Response) =>
      response.body.data.reduce((sum: number, b: { totalChecks: number }) => sum + b.totalChecks, 0);

    it('buckets by minute by default, by hour and by day on request, and by hour for auto over two days', async () => {
      type Bucket = { bucketStart: string; totalChecks: number };
      const withChecks = (response: { body: { data: Bucket[] } }) => response.body.data.filter((bucket) => bucket.totalChecks > 0);
      /** Zero-filled: every bucket of the window is there, one step apart. */
      const expectContiguous = (response: { body: { data: Bucket[] } }, stepMs: number) => {
        const starts = response.body.data.map((bucket) => Date.parse(bucket.bucketStart));
        expect(starts.slice(1).map((start, i) => start - starts[i])).toEqual(starts.slice(1).map(() => stepMs));
      };
      const minutes = await get(path()).expect(200);
      expect(minutes.body.granularity).toBe('minute');
      expect(withChecks(minutes).map((b) => b.bucketStart)).toEqual(
        a.checksOf(monitors.checkout).map((c) => new Date(Math.floor(c.checkedAt.getTime() / 60000) * 60000).toISOString()),
      );
      expectContiguous(minutes, 60000);
      expect(minutes.body.data.length).toBeGreaterThan(withChecks(minutes).length);
      expect(withChecks(minutes)[1]).toMatchObject({ totalChecks: 1, upChecks: 0, downChecks: 1, errorChecks: 0, avgResponseTimeMs: 5000 });
      const from = a.minutesAgo(48 * 60).toISOString();
      const to = new Date(a.now.getTime() + 60000).toISOString();
      const auto = await get(`${path()}?from=${from}&to=${to}&granularity=auto`).expect(200);
      expect(auto.body.granularity).toBe('hour');
      expect(total(auto)).toBe(4);
      const hours = await get(`${path()}?granularity=hour`).expect(200);
      expect(hours.body.granularity).toBe('hour');
      expect(total(hours)).toBe(4);
      const days = await get(`${path()}?from=${from}&to=${to}&granularity=day`).expect(200);
      expect(days.body.granularity).toBe('day');
      expect(total(days)).toBe(4);
      const window = await get(
        `${path()}?granularity=minute&from=${a.minutesAgo(35).toISOString()}&to=${a.minutesAgo(5).toISOString()}`,
      ).expect(200);
      expect(withChecks(window)).toHaveLength(2);
      expectContiguous(window, 60000);
      expect(window.body.data.length).toBeGreaterThanOrEqual(30);
    });

    it("refuses bad parameters; 404 for deleted and other tenants' monitors", async () => {
      expect(fields(await get(`${path()}?granularity=week&from=never`).expect(400))).toEqual(['from', 'granularity']);
      await get(`${path()}?from=${a.now.toISOString()}&to=${a.minutesAgo(60).toISOString()}`).expect(400);
      await get(`${path()}?granularity=minute&from=${a.minutesAgo(30 * 24 * 60).toISOString()}`).expect(400);
      await get(`/v1/monitors/${monitors.legacy}/stats`).expect(404);
      await get(`/v1/monitors/${bMonitor}/stats`).expect(404);
    });
  });

  describe('incidents', () => {
    const incident = (startedMinutesAgo: number, resolvedMinutesAgo: number | null, firstError: string) => ({
      id: expect.any(String),
      monitorId: monitors.checkout,
      startedAt: a.minutesAgo(startedMinutesAgo).toISOString(),
      resolvedAt: resolvedMinutesAgo === null ? null : a.minutesAgo(resolvedMinutesAgo).toISOString(),
      durationSeconds: resolvedMinutesAgo === null ? expect.any(Number) : (startedMinutesAgo - resolvedMinutesAgo) * 60,
      firstError,
    });

    it("lists a monitor's incidents newest first with open, limit and cursor", async () => {
      const path = `/v1/monitors/${monitors.checkout}/incidents`;
      const all = await get(path).expect(200);
      expect(all.body).toEqual({ data: [incident(10, null, 'timeout'), incident(40, 30, 'HTTP 503')], nextCursor: null });
      expect(all.body.data[0].durationSeconds).toBeGreaterThanOrEqual(600);
      expect(ids(await get(`${path}?open=true`).expect(200))).toEqual([all.body.data[0].id]);
      expect(ids(await get(`${path}?open=false`).expect(200))).toEqual([all.body.data[1].id]);
      const first = await get(`${path}?limit=1`).expect(200);
      const second = await get(`${path}?limit=1&cursor=${first.body.nextCursor}`).expect(200);
      expect([...ids(first), ...ids(second)]).toEqual(ids(all));
      expect(fields(await get(`${path}?open=maybe&limit=-1`).expect(400))).toEqual(['limit', 'open']);
      await get(`/v1/monitors/${monitors.legacy}/incidents`).expect(404);
      await get(`/v1/monitors/${bMonitor}/incidents`).expect(404);
    });

    it("lists the tenant's incidents without those of deleted monitors, with monitorId, open, from, to, limit and cursor", async () => {
      const all = await get('/v1/incidents').expect(200);
      expect(all.body).toEqual({ data: [incident(10, null, 'timeout'), incident(40, 30, 'HTTP 503')], nextCursor: null });
      expect(ids(await get(`/v1/incidents?monitorId=${monitors.checkout}`).expect(200))).toEqual(ids(all));
      expect(ids(await get(`/v1/incidents?monitorId=${monitors.legacy}`).expect(200))).toEqual([]);
      expect(ids(await get(`/v1/incidents?monitorId=${bMonitor}`).expect(200))).toEqual([]);
      expect(ids(await get('/v1/incidents?open=true').expect(200))).toEqual([all.body.data[0].id]);
      expect(ids(await get('/v1/incidents?open=false').expect(200))).toEqual([all.body.data[1].id]);
      const window = `from=${a.minutesAgo(60).toISOString()}&to=${a.minutesAgo(20).toISOString()}`;
      expect(ids(await get(`/v1/incidents?${window}`).expect(200))).toEqual([all.body.data[1].id]);
      const first = await get('/v1/incidents?limit=1').expect(200);
      const second = await get(`/v1/incidents?limit=1&cursor=${first.body.nextCursor}`).expect(200);
      expect([...ids(first), ...ids(second)]).toEqual(ids(all));
      expect(second.body.nextCursor).toBeNull();
      const bad = await get('/v1/incidents?monitorId=xyz&open=maybe&from=now&cursor=%24').expect(400);
      expect(fields(bad)).toEqual(['cursor', 'from', 'monitorId', 'open']);
      expect(fields(await get(`/v1/incidents?from=${a.now.toISOString()}&to=${a.minutesAgo(1).toISOString()}`).expect(400))).toEqual([
        'to',
      ]);
    });
  });

  describe('GET /v1/summary', () => {
    it('counts live monitors by status, paused ones, and open incidents', async () => {
      expect((await get('/v1/summary').expect(200)).body).toEqual({
        monitors: { total: 4, up: 1, down: 1, unknown: 1, paused: 1 },
        openIncidents: 1,
      });
      expect((await get('/v1/summary', b.token, b.position).expect(200)).body).toEqual({
        monitors: { total: 1, up: 0, down: 1, unknown: 0, paused: 0 },
        openIncidents: 1,
      });
    });
  });

  describe('GET /v1/audit-events', () => {
    it('lists the event history newest first with type, limit and cursor, and who issued it', async () => {
      const all = await get('/v1/audit-events?limit=500').expect(200);
      const types = all.body.data.map((e: { type: string }) => e.type);
      expect(types.filter((t: string) => t === 'MonitorCreated')).toHaveLength(5);
      expect(types).toEqual(
        expect.arrayContaining(['TenantCreated', 'ApiKeyIssued', 'UserRegistered', 'UserRemoved', 'MonitorDeleted', 'MonitorPaused']),
      );
      expect(types).not.toContain('CheckRecorded');
      // The newest status change is the checkout's last check, the last command of the set-up.
      expect(all.body.data.find((e: { type: string }) => e.type === 'MonitorStatusChanged')).toEqual({
        eventId: expect.any(String),
        type: 'MonitorStatusChanged',
        aggregateType: 'monitor',
        aggregateId: monitors.checkout,
        version: expect.any(Number),
        occurredAt: expect.any(String),
        commandId: expect.any(String),
        correlationId: expect.any(String),
        issuedBy: 'read-api-e2e',
      });
      const created = await get('/v1/audit-events?type=MonitorCreated').expect(200);
      expect(created.body.data.map((e: { aggregateId: string }) => e.aggregateId).sort()).toEqual(Object.values(monitors).sort());
      const first = await get('/v1/audit-events?limit=10').expect(200);
      const rest = await get(`/v1/audit-events?limit=500&cursor=${first.body.nextCursor}`).expect(200);
      expect([...ids(first, 'eventId'), ...ids(rest, 'eventId')]).toEqual(ids(all, 'eventId'));
      expect(fields(await get('/v1/audit-events?type=' + encodeURIComponent("x' OR 1=1") + '&limit=9999').expect(400))).toEqual([
        'limit',
        'type',
      ]);
    });
  });

  describe('credentials and consistency', () => {
    it('answers 401 problem+json without a credential and 400 for a consistency token that is not a position', async () => {
      const missing = await request(api.url('')).get('/v1/monitors').expect(401);
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
      const bad = await get('/v1/monitors', a.token, 'not-a-position').expect(400);
      expect(fields(bad)).toEqual(['X-Consistency-Token']);
    });

    it('answers 401 for a key once it is revoked', async () => {
      await get('/v1/tenant', revocableToken).expect(200);
      await a.accept(command('RevokeApiKey', a.tenantId, { apiKeyId: revocableKeyId }));
      await get('/v1/tenant').expect(200); // the revocation is in the read model now
      const revoked = await eventually(() => get('/v1/tenant', revocableToken), 401);
      expect(revoked.body).toMatchObject({ status: 401, detail: 'the API key has been revoked' });
      await get('/v1/tenant').expect(200);
    });

    it('answers 403 while the tenant is deactivated, 200 once reactivated and 401 once deleted', async () => {
      const read = () => get('/v1/tenant', b.token, b.position);
      await b.accept(command('DeactivateTenant', b.tenantId, { reason: 'unpaid' }));
      await get('/v1/tenant', a.token, b.position).expect(200); // waits until B's deactivation is projected
      const forbidden = await eventually(read, 403);
      expect(forbidden.headers['content-type']).toMatch(/^application\/problem\+json/);
      await get('/v1/tenant').expect(200);
      await b.accept(command('ReactivateTenant', b.tenantId));
      await get('/v1/tenant', a.token, b.position).expect(200);
      await eventually(read, 200);
      await b.accept(command('DeleteTenant', b.tenantId));
      await get('/v1/tenant', a.token, b.position).expect(200);
      await eventually(read, 401);
    });
  });
});

/**
 * The read API caches credentials for at most two seconds (issue 5): repeats `send` until it
 * answers `status`, failing after three seconds.
 */
async function eventually(send: () => request.Test, status: number): Promise<request.Response> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const response = await send();
    if (response.status === status || Date.now() > deadline) {
      expect(response.status).toBe(status);
      return response;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
