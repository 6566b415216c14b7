import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { TenantSeed, at, bearer, daysAgo, hoursAgo } from './read-api.fixtures';
import { NOW, ReadApiTestApp, projectorPool, startReadApi } from './read-api.harness';

const HOUR = 3600 * 1000;

describe('read API endpoints (openapi.yaml)', () => {
  let api: ReadApiTestApp;
  let pool: Pool;
  let seed: TenantSeed;
  const get = (path: string, token = seed.token) => request(api.server).get(path).set(bearer(token));
  /** The ids of every page of `path` (a list URL with a query), following nextCursor. */
  const idsOfAllPages = async (path: string): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await get(`${path}${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      ids.push(...page.body.data.map((row: { id: string }) => row.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    return ids;
  };

  beforeAll(async () => {
    pool = projectorPool();
    seed = await new TenantSeed(pool).insertStandard();
    api = await startReadApi();
  });

  afterAll(async () => {
    await api?.close();
    await seed?.delete();
    await pool?.end();
  });

  describe('GET /v1/tenant', () => {
    it('returns the tenant of the credential', async () => {
      const response = await get('/v1/tenant').expect(200);
      expect(response.body).toEqual({
        id: seed.tenantId,
        name: `Tenant ${seed.slug}`,
        slug: seed.slug,
        plan: 'pro',
        isActive: true,
        createdAt: daysAgo(10).toISOString(),
        updatedAt: daysAgo(10).toISOString(),
      });
      expect(response.headers['content-type']).toMatch(/^application\/json/);
    });

    it('carries an ETag and answers 304 to If-None-Match', async () => {
      const first = await get('/v1/tenant').expect(200);
      expect(first.headers.etag).toMatch(/^W\/"/);
      const second = await get('/v1/tenant').set('if-none-match', first.headers.etag).expect(304);
      expect(second.text).toBe('');
      await get('/v1/tenant').set('if-none-match', 'W/"other"').expect(200);
    });
  });

  describe('GET /v1/users', () => {
    it('lists live users oldest first without password hashes', async () => {
      const response = await get('/v1/users').expect(200);
      const live = seed.users.filter((u) => !u.deleted);
      expect(response.body.data.map((u: { id: string }) => u.id)).toEqual(live.map((u) => u.id));
      expect(response.body.nextCursor).toBeNull();
      expect(Object.keys(response.body.data[0]).sort()).toEqual(
        ['createdAt', 'email', 'id', 'isActive', 'lastLoginAt', 'role', 'updatedAt'].sort(),
      );
      expect(JSON.stringify(response.body)).not.toContain('$2b$');
    });

    it('pages with limit and cursor without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response: request.Response = await get(`/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
        expect(response.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...response.body.data.map((u: { id: string }) => u.id));
        cursor = response.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(seed.users.filter((u) => !u.deleted).map((u) => u.id));
    });

    it('keeps pages stable while rows are inserted', async () => {
      const first = await get('/v1/users?limit=2').expect(200);
      const newcomer = await seed.insertUser({ role: 'user', isActive: true, createdAt: at(-2 * 24 * HOUR) });
      const rest = await get(`/v1/users?limit=500&cursor=${first.body.nextCursor}`).expect(200);
      const ids = [...first.body.data, ...rest.body.data].map((u: { id: string }) => u.id);
      expect(ids).not.toContain(newcomer);
      expect(new Set(ids).size).toBe(ids.length);
      await pool.query('UPDATE users SET deleted_at = now() WHERE tenant_id = $1 AND id = $2', [seed.tenantId, newcomer]);
      seed.users.find((u) => u.id === newcomer)!.deleted = true;
    });

    it('filters by role and active', async () => {
      const admins = await get('/v1/users?role=admin').expect(200);
      expect(admins.body.data.every((u: { role: string }) => u.role === 'admin')).toBe(true);
      expect(admins.body.data).toHaveLength(seed.users.filter((u) => !u.deleted && u.role === 'admin').length);
      const inactive = await get('/v1/users?active=false').expect(200);
      expect(inactive.body.data.map((u: { id: string }) => u.id)).toEqual(
        seed.users.filter((u) => !u.deleted && !u.isActive).map((u) => u.id),
      );
    });

    it('refuses bad parameters with field errors', async () => {
      const response = await get('/v1/users?limit=0&role=root&active=yes&cursor=@@&extra=1').expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ type: 'urn:vinsight:problem:validation-failed', title: 'Bad Request', status: 400 });
      const fields = response.body.errors.map((e: { field: string }) => e.field);
      expect(new Set(fields)).toEqual(new Set(['limit', 'role', 'active', 'cursor', 'extra']));
      await get('/v1/users?limit=501').expect(400);
      await get('/v1/users?limit=500').expect(200);
      await get(
        '/v1/users?cursor=' + Buffer.from('["monitors","2026-01-01T00:00:00.000Z","' + randomUUID() + '"]').toString('base64url'),
      ).expect(400);
    });
  });

  describe('GET /v1/users/:id', () => {
    it('returns one user, 404 for deleted, unknown and malformed ids', async () => {
      const user = seed.users[0];
      const response = await get(`/v1/users/${user.id}`).expect(200);
      expect(response.body).toMatchObject({ id: user.id, email: user.email, role: user.role });
      expect(response.headers.etag).toBeDefined();
      await get(`/v1/users/${user.id.toUpperCase()}`).expect(200);
      await get(`/v1/users/${seed.users.find((u) => u.deleted)!.id}`).expect(404);
      await get(`/v1/users/${randomUUID()}`).expect(404);
      const malformed = await get('/v1/users/not-a-uuid').expect(404);
      expect(malformed.body).toMatchObject({ status: 404, type: 'urn:vinsight:problem:not-found' });
    });
  });

  describe('GET /v1/monitors', () => {
    it('lists live monitors oldest first in the contract shape', async () => {
      const response = await get('/v1/monitors').expect(200);
      expect(response.body.data.map((m: { id: string }) => m.id)).toEqual(seed.monitors.map((m) => m.id));
      expect(response.body.data[0]).toEqual({
        id: seed.monitors[0].id,
        name: seed.monitors[0].name,
        url: `https://example.com/${seed.monitors[0].id}`,
        checkInterval: 60,
        isActive: true,
        status: 'up',
        lastCheckedAt: at(-60000).toISOString(),
        lastResponseTimeMs: 120,
        inMaintenance: false,
        maintenanceWindowId: null,
        version: 3,
        createdAt: seed.monitors[0].createdAt.toISOString(),
        updatedAt: seed.monitors[0].createdAt.toISOString(),
      });
    });

    it('shows the maintenance window that holds each monitor now, one and list alike', async () => {
      // A tenant of its own: no other test may count these windows.
      const own = new TenantSeed(pool);
      await own.insertTenant();
      await own.insertApiKey(own.apiKeyId, own.token);
      try {
        const monitor = (name: string) => own.insertMonitor({ name, status: 'up', isActive: true, createdAt: daysAgo(2) });
        const [held, tenantWideOnly, cancelled, recurringLater] = [
          await monitor('a'),
          await monitor('b'),
          await monitor('c'),
          await monitor('d'),
        ];
        const window = async (monitorId: string | null, startsAt: Date, endsAt: Date | null, extra: Record<string, unknown> = {}) => {
          const id = randomUUID();
          const columns = Object.keys(extra);
          await pool.query(
            `INSERT INTO maintenance_windows (tenant_id, id, monitor_id, starts_at, ends_at, version, created_at, updated_at${columns.map((c) => `, ${c}`).join('')})
             VALUES ($1, $2, $3, $4, $5, 1, $4, $4${columns.map((_, i) => `, $${i + 6}`).join('')})`,
            [own.tenantId, id, monitorId, startsAt, endsAt, ...Object.values(extra)],
          );
          return id;
        };
        const tenantWide = await window(null, hoursAgo(0.5), hoursAgo(-0.5));
        // Began earlier than the tenant-wide one: the window `held` is said to be in.
        const own1 = await window(held, hoursAgo(1), hoursAgo(-1));
        await window(held, hoursAgo(3), hoursAgo(2)); // ended
        await window(cancelled, hoursAgo(1), hoursAgo(-1), { cancelled_at: hoursAgo(0.1) });
        // every day 13:00-14:00 London time: not now (12:00)
        await window(recurringLater, daysAgo(1), null, {
          recurrence_days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
          recurrence_start_time: '13:00',
          recurrence_duration_minutes: 60,
          recurrence_timezone: 'Europe/London',
        });
        const expected = { [held]: own1, [tenantWideOnly]: tenantWide, [cancelled]: tenantWide, [recurringLater]: tenantWide };
        const list = await get('/v1/monitors', own.token).expect(200);
        expect(
          Object.fromEntries(list.body.data.map((m: { id: string; maintenanceWindowId: string | null }) => [m.id, m.maintenanceWindowId])),
        ).toEqual(expected);
        expect(list.body.data.every((m: { inMaintenance: boolean }) => m.inMaintenance)).toBe(true);
        await pool.query('UPDATE maintenance_windows SET cancelled_at = $3 WHERE tenant_id = $1 AND id = $2', [
          own.tenantId,
          tenantWide,
          hoursAgo(0.1),
        ]);
        expect((await get(`/v1/monitors/${held}`, own.token).expect(200)).body).toMatchObject({
          inMaintenance: true,
          maintenanceWindowId: own1,
        });
        for (const id of [tenantWideOnly, cancelled, recurringLater]) {
          const one = await get(`/v1/monitors/${id}`, own.token).expect(200);
          expect({ id, ...one.body }).toMatchObject({ id, inMaintenance: false, maintenanceWindowId: null });
        }
      } finally {
        await own.delete();
      }
    });

    it('filters by status, active and name search (wildcards match themselves)', async () => {
      for (const status of ['up', 'down', 'unknown']) {
        const response = await get(`/v1/monitors?status=${status}`).expect(200);
        expect(response.body.data.map((m: { id: string }) => m.id)).toEqual(
          seed.monitors.filter((m) => m.status === status).map((m) => m.id),
        );
      }
      const paused = await get('/v1/monitors?active=false').expect(200);
      expect(paused.body.data.map((m: { id: string }) => m.id)).toEqual(seed.monitors.filter((m) => !m.isActive).map((m) => m.id));
      const search = await get('/v1/monitors?q=CHECKOUT').expect(200);
      expect(search.body.data.map((m: { id: string }) => m.id)).toEqual([seed.monitors[0].id]);
      const percent = await get('/v1/monitors?q=' + encodeURIComponent('100%_')).expect(200);
      expect(percent.body.data).toHaveLength(1);
      const wildcard = await get('/v1/monitors?q=' + encodeURIComponent('%')).expect(200);
      expect(wildcard.body.data).toHaveLength(1);
      const none = await get('/v1/monitors?q=' + encodeURIComponent('_o')).expect(200);
      expect(none.body.data).toHaveLength(0);
    });

    it('pages with limit and cursor', async () => {
      const first = await get('/v1/monitors?limit=4').expect(200);
      expect(first.body.data).toHaveLength(4);
      const second = await get(`/v1/monitors?limit=4&cursor=${first.body.nextCursor}`).expect(200);
      expect([...first.body.data, ...second.body.data].map((m: { id: string }) => m.id)).toEqual(seed.monitors.map((m) => m.id));
      expect(second.body.nextCursor).toBeNull();
    });

    it('refuses bad filters', async () => {
      const response = await get('/v1/monitors?status=sideways&active=1&q=' + 'x'.repeat(256)).expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['active', 'q', 'status']);
      await get('/v1/monitors?q=%00').expect(400);
    });
  });

  describe('GET /v1/monitors/:id', () => {
    it('returns one monitor with an ETag, 404 for deleted, unknown and malformed ids', async () => {
      const response = await get(`/v1/monitors/${seed.monitors[1].id}`).expect(200);
      expect(response.body).toMatchObject({ id: seed.monitors[1].id, status: 'down' });
      await get(`/v1/monitors/${seed.monitors[1].id}`).set('if-none-match', response.headers.etag).expect(304);
      await get(`/v1/monitors/${seed.deletedMonitorId}`).expect(404);
      await get(`/v1/monitors/${randomUUID()}`).expect(404);
      await get(`/v1/monitors/${'1'.repeat(40)}`).expect(404);
      await get(`/v1/monitors/%27%3B%20DROP%20TABLE%20monitors`).expect(404);
    });
  });

  describe('GET /v1/monitors/:id/checks', () => {
    const monitor = () => seed.monitors[0];

    it('returns checks newest first', async () => {
      const response = await get(`/v1/monitors/${monitor().id}/checks`).expect(200);
      const expected = [...seed.checks].sort((a, b) => b.checkedAt.getTime() - a.checkedAt.getTime());
      expect(response.body.data.map((c: { id: string }) => c.id)).toEqual(expected.map((c) => c.id));
      expect(response.body.data[0]).toEqual({
        id: expected[0].id,
        status: 'up',
        responseTimeMs: 100,
        statusCode: 200,
        errorMessage: null,
        region: 'eu-west-1',
        checkedAt: expected[0].checkedAt.toISOString(),
        inMaintenance: false,
      });
    });

    it('filters by from, to and status and pages', async () => {
      const from = at(-5 * 60000 - 1).toISOString();
      const to = at(-2 * 60000 + 1).toISOString();
      const window = await get(`/v1/monitors/${monitor().id}/checks?from=${from}&to=${to}`).expect(200);
      expect(window.body.data).toHaveLength(4);
      const down = await get(`/v1/monitors/${monitor().id}/checks?status=down`).expect(200);
      expect(down.body.data.map((c: { id: string }) => c.id).sort()).toEqual(
        seed.checks
          .filter((c) => c.status === 'down')
          .map((c) => c.id)
          .sort(),
      );
      const first = await get(`/v1/monitors/${monitor().id}/checks?limit=3`).expect(200);
      const second = await get(`/v1/monitors/${monitor().id}/checks?limit=3&cursor=${first.body.nextCursor}`).expect(200);
      const third = await get(`/v1/monitors/${monitor().id}/checks?limit=3&cursor=${second.body.nextCursor}`).expect(200);
      expect(third.body.nextCursor).toBeNull();
      expect([...first.body.data, ...second.body.data, ...third.body.data]).toHaveLength(seed.checks.length);
    });

    it('refuses bad ranges and answers 404 for another monitor', async () => {
      const response = await get(`/v1/monitors/${monitor().id}/checks?from=yesterday&to=2026-13-45T00:00:00Z&status=up,down`).expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['from', 'status', 'to']);
      await get(`/v1/monitors/${monitor().id}/checks?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`).expect(400);
      await get(`/v1/monitors/${monitor().id}/checks?from=0000-01-01T00:00:00Z`).expect(400);
      await get(`/v1/monitors/${seed.deletedMonitorId}/checks`).expect(404);
      await get(`/v1/monitors/nope/checks`).expect(404);
    });
  });

  describe('GET /v1/monitors/:id/uptime and /stats', () => {
    let monitorId: string;

    beforeAll(async () => {
      monitorId = await seed.insertMonitor({ name: 'Rollups', status: 'up', isActive: true, createdAt: daysAgo(40) });
      // 40 days of hourly rows (9 up, 1 down each, 100 ms) and the daily rows summing them.
      const firstHour = new Date(Math.floor(NOW.getTime() / HOUR) * HOUR - 40 * 24 * HOUR);
      for (let t = firstHour.getTime(); t < NOW.getTime(); t += HOUR) {
        await seed.insertRollup('hourly', monitorId, new Date(t), { up: 9, down: 1, error: 0, responseTimeMs: 100 });
      }
      await seed.rollUpDays(monitorId);
      await seed.insertIncident(monitorId, hoursAgo(3), hoursAgo(2));
      await seed.insertIncident(monitorId, daysAgo(10), new Date(daysAgo(10).getTime() + 600000));
      await seed.insertIncident(monitorId, hoursAgo(25), hoursAgo(23));
    });

    it('computes uptime from the rollups over each window', async () => {
      const day = await get(`/v1/monitors/${monitorId}/uptime`).expect(200);
      // 24 h at 10 checks per hour, from the hour that contains the window's start.
      expect(day.body).toEqual({
        window: '24h',
        from: hoursAgo(24).toISOString(),
        to: NOW.toISOString(),
        totalChecks: 240,
        upChecks: 216,
        downChecks: 24,
        errorChecks: 0,
        uptimePercent: 90,
        downtimeSeconds: 3600 + 3600,
        incidentCount: 2,
        maintenanceChecks: 0,
        maintenanceSeconds: 0,
        avgResponseTimeMs: 100,
        p95ResponseTimeMs: expect.any(Number),
      });
      expect(day.body.p95ResponseTimeMs).toBeGreaterThanOrEqual(100);
      expect(day.body.p95ResponseTimeMs).toBeLessThan(125);
      const month = await get(`/v1/monitors/${monitorId}/uptime?window=30d`).expect(200);
      expect(month.body.totalChecks).toBe(30 * 240);
      expect(month.body.uptimePercent).toBe(90);
      expect(month.body.incidentCount).toBe(3);
      expect(month.body.downtimeSeconds).toBe(3600 + 600 + 7200);
      const quarter = await get(`/v1/monitors/${monitorId}/uptime?window=90d`).expect(200);
      // Only 40 days of data exist.
      expect(quarter.body.totalChecks).toBe(40 * 240);
      await get(`/v1/monitors/${monitorId}/uptime?window=7d`).expect(200);
    });

    it("reports the time of the monitor's maintenance windows, overlaps once, and the checks the rollups counted apart", async () => {
      // Removed afterwards: the other tests' incidents and downtime know no maintenance.
      const windowIds: string[] = [];
      const window = (monitor: string | null, startsAt: Date, endsAt: Date | null, extra = '', values: unknown[] = []) => {
        windowIds.push(randomUUID());
        return pool.query(
          `INSERT INTO maintenance_windows (tenant_id, id, monitor_id, starts_at, ends_at, version, created_at, updated_at${extra ? ', ' : ''}${extra})
           VALUES ($1, $2, $3, $4, $5, 1, $4, $4${values.map((_, i) => `, $${i + 6}`).join('')})`,
          [seed.tenantId, windowIds.at(-1), monitor, startsAt, endsAt, ...values],
        );
      };
      try {
        // this monitor's window, 10:00-11:00, and the same hour again through a tenant-wide window
        await window(monitorId, hoursAgo(2), hoursAgo(1));
        await window(null, new Date(hoursAgo(2).getTime() + 30 * 60000), hoursAgo(1));
        // every day 11:30-12:30 London time (UTC in January), cancelled today at 11:50
        await window(
          null,
          daysAgo(3),
          null,
          'recurrence_days, recurrence_start_time, recurrence_duration_minutes, recurrence_timezone, cancelled_at',
          [['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], '11:30', 60, 'Europe/London', new Date(NOW.getTime() - 10 * 60000)],
        );
        // another monitor's window counts nothing here
        await window(seed.monitors[1].id, hoursAgo(5), hoursAgo(3));
        await pool.query(
          'UPDATE monitor_check_rollups_hourly SET maintenance_checks = 3 WHERE tenant_id = $1 AND monitor_id = $2 AND bucket_start = $3',
          [seed.tenantId, monitorId, hoursAgo(2)],
        );
        const day = await get(`/v1/monitors/${monitorId}/uptime`).expect(200);
        // 3600 (10:00-11:00) + yesterday's occurrence from 12:00, the window's start, to 12:30 + today's 11:30-11:50
        expect(day.body).toMatchObject({ maintenanceSeconds: 3600 + 1800 + 1200, maintenanceChecks: 3, totalChecks: 240 });
        const other = await get(`/v1/monitors/${seed.monitors[1].id}/uptime`).expect(200);
        expect(other.body.maintenanceSeconds).toBe(2 * 3600 + 1800 + 1800 + 1200);
      } finally {
        await pool.query('DELETE FROM maintenance_windows WHERE tenant_id = $1 AND id = ANY($2::uuid[])', [seed.tenantId, windowIds]);
      }
    });

    it('leaves maintenance time out of the downtime, also inside an incident opened before the window', async () => {
      // A tenant of its own: no other test may count these rows, nor these windows.
      const own = new TenantSeed(pool);
      await own.insertTenant();
      await own.insertApiKey(own.apiKeyId, own.token);
      try {
        const monitor = await own.insertMonitor({ name: 'Downtime', status: 'down', isActive: true, createdAt: daysAgo(2) });
        // 7200 s of incident from 09:00, 1800 s of it in maintenance (09:30-10:00); an open one from 11:30, 900 s in a window still running.
        await own.insertIncident(monitor, hoursAgo(3), hoursAgo(1));
        await own.insertIncident(monitor, hoursAgo(0.5), null);
        for (const [startsAt, endsAt] of [
          [hoursAgo(2.5), hoursAgo(2)],
          [hoursAgo(0.25), hoursAgo(-1)],
        ]) {
          await pool.query(
            `INSERT INTO maintenance_windows (tenant_id, id, monitor_id, starts_at, ends_at, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 1, $4, $4)`,
            [own.tenantId, randomUUID(), monitor, startsAt, endsAt],
          );
        }
        const day = await get(`/v1/monitors/${monitor}/uptime`, own.token).expect(200);
        expect(day.body).toMatchObject({ incidentCount: 2, downtimeSeconds: 7200 - 1800 + (1800 - 900), maintenanceSeconds: 1800 + 900 });
      } finally {
        await own.delete();
      }
    });

    it('answers a monitor without checks with zeros and null percentages', async () => {
      const response = await get(`/v1/monitors/${seed.monitors[2].id}/uptime`).expect(200);
      expect(response.body).toMatchObject({ totalChecks: 0, uptimePercent: null, avgResponseTimeMs: null, p95ResponseTimeMs: null });
    });

    it('refuses unknown windows and monitors', async () => {
      const response = await get(`/v1/monitors/${monitorId}/uptime?window=1y`).expect(400);
      expect(response.body.errors[0].field).toBe('window');
      await get(`/v1/monitors/${randomUUID()}/uptime`).expect(404);
      await get(`/v1/monitors/${seed.deletedMonitorId}/uptime`).expect(404);
    });

    it('returns hourly, daily and minute buckets', async () => {
      const hours = await get(`/v1/monitors/${monitorId}/stats?from=${hoursAgo(48).toISOString()}&to=${NOW.toISOString()}`).expect(200);
      expect(hours.body.granularity).toBe('hour');
      expect(hours.body.data).toHaveLength(48);
      expect(hours.body.data[0]).toEqual({
        bucketStart: hoursAgo(48).toISOString(),
        totalChecks: 10,
        upChecks: 9,
        downChecks: 1,
        errorChecks: 0,
        maintenanceChecks: 0,
        avgResponseTimeMs: 100,
        p95ResponseTimeMs: expect.any(Number),
      });
      const days = await get(`/v1/monitors/${monitorId}/stats?from=${daysAgo(35).toISOString()}&to=${NOW.toISOString()}`).expect(200);
      expect(days.body.granularity).toBe('day');
      expect(days.body.data.length).toBeGreaterThanOrEqual(34);
      expect(days.body.data[1].totalChecks).toBe(240);
      const explicit = await get(
        `/v1/monitors/${monitorId}/stats?from=${daysAgo(3).toISOString()}&granularity=day&to=${NOW.toISOString()}`,
      ).expect(200);
      expect(explicit.body.granularity).toBe('day');
      const minutes = await get(`/v1/monitors/${seed.monitors[0].id}/stats`).expect(200);
      expect(minutes.body.granularity).toBe('minute');
      // Every minute of the default 24 hours, zeros where no check was recorded.
      expect(minutes.body.data.length).toBeGreaterThanOrEqual(1440);
      expect(minutes.body.data.filter((b: { totalChecks: number }) => b.totalChecks > 0)).toHaveLength(seed.checks.length);
      expect(minutes.body.data.reduce((sum: number, b: { totalChecks: number }) => sum + b.totalChecks, 0)).toBe(seed.checks.length);
      expect(minutes.body.data.find((b: { totalChecks: number }) => b.totalChecks === 0)).toEqual({
        bucketStart: expect.any(String),
        totalChecks: 0,
        upChecks: 0,
        downChecks: 0,
        errorChecks: 0,
        maintenanceChecks: 0,
        avgResponseTimeMs: null,
        p95ResponseTimeMs: null,
      });
      const starts = minutes.body.data.map((b: { bucketStart: string }) => Date.parse(b.bucketStart));
      expect(starts.slice(1).every((start: number, i: number) => start - starts[i] === 60000)).toBe(true);
    });

    it('refuses bad stats parameters', async () => {
      await get(`/v1/monitors/${monitorId}/stats?granularity=week`).expect(400);
      await get(`/v1/monitors/${monitorId}/stats?from=${NOW.toISOString()}&to=${hoursAgo(1).toISOString()}`).expect(400);
      await get(`/v1/monitors/${monitorId}/stats?granularity=minute&from=${daysAgo(30).toISOString()}`).expect(400);
      await get(`/v1/monitors/${randomUUID()}/stats`).expect(404);
    });
  });

  describe('regions: checks, uptime and stats of one region, and uptime by region', () => {
    let monitorId: string;
    const ids: Record<string, string[]> = { 'eu-west': [], 'us-east-1': [], none: [] };

    beforeAll(async () => {
      monitorId = await seed.insertMonitor({ name: 'Regions', status: 'up', isActive: true, createdAt: daysAgo(2) });
      // Per hour over the last 3 hours: eu-west 2 up (100 ms), us-east-1 1 up (300 ms) + 1 down, one check that did not say.
      for (let hour = 1; hour <= 3; hour += 1) {
        const t = (minutes: number) => new Date(hoursAgo(hour).getTime() + minutes * 60000);
        ids['eu-west'].push(await seed.insertCheck(monitorId, 'up', t(1), 100, 'eu-west'));
        ids['eu-west'].push(await seed.insertCheck(monitorId, 'up', t(2), 100, 'eu-west'));
        ids['us-east-1'].push(await seed.insertCheck(monitorId, 'up', t(3), 300, 'us-east-1'));
        ids['us-east-1'].push(await seed.insertCheck(monitorId, 'down', t(4), null, 'us-east-1'));
        ids.none.push(await seed.insertCheck(monitorId, 'error', t(5), null, null));
      }
      await seed.insertIncident(monitorId, hoursAgo(2), hoursAgo(1));
    });

    it('lists the checks of one region, named in any case', async () => {
      const checks = await get(`/v1/monitors/${monitorId}/checks?region=US-East-1`).expect(200);
      expect(checks.body.data.map((c: { id: string }) => c.id).sort()).toEqual([...ids['us-east-1']].sort());
      expect(new Set(checks.body.data.map((c: { region: string }) => c.region))).toEqual(new Set(['us-east-1']));
      const downOfRegion = await get(`/v1/monitors/${monitorId}/checks?region=us-east-1&status=down`).expect(200);
      expect(downOfRegion.body.data).toHaveLength(3);
      expect((await get(`/v1/monitors/${monitorId}/checks?region=ap-south`).expect(200)).body.data).toEqual([]);
    });

    it("gives a region's uptime from its checks, with the monitor's incidents", async () => {
      const response = await get(`/v1/monitors/${monitorId}/uptime?region=us-east-1`).expect(200);
      expect(response.body).toMatchObject({
        region: 'us-east-1',
        totalChecks: 6,
        upChecks: 3,
        downChecks: 3,
        errorChecks: 0,
        uptimePercent: 50,
        avgResponseTimeMs: 300,
        incidentCount: 1,
        downtimeSeconds: 3600,
      });
      expect(response.body).not.toHaveProperty('regions');
      const unknown = await get(`/v1/monitors/${monitorId}/uptime?region=ap-south`).expect(200);
      expect(unknown.body).toMatchObject({ totalChecks: 0, uptimePercent: null, avgResponseTimeMs: null });
    });

    it('breaks uptime down by region, checks that did not say last', async () => {
      const response = await get(`/v1/monitors/${monitorId}/uptime?by=region`).expect(200);
      expect(response.body.regions).toEqual([
        expect.objectContaining({ region: 'eu-west', totalChecks: 6, upChecks: 6, uptimePercent: 100, avgResponseTimeMs: 100 }),
        expect.objectContaining({ region: 'us-east-1', totalChecks: 6, upChecks: 3, downChecks: 3, uptimePercent: 50 }),
        expect.objectContaining({ region: null, totalChecks: 3, errorChecks: 3, uptimePercent: 0, avgResponseTimeMs: null }),
      ]);
      expect(response.body).not.toHaveProperty('region');
      const one = await get(`/v1/monitors/${monitorId}/uptime?by=region&region=eu-west`).expect(200);
      expect(one.body.regions.map((r: { region: string }) => r.region)).toEqual(['eu-west']);
    });

    it('gives stats of one region in every bucket size', async () => {
      const from = hoursAgo(4).toISOString();
      const hours = await get(`/v1/monitors/${monitorId}/stats?region=eu-west&from=${from}&granularity=hour`).expect(200);
      expect(hours.body.data.map((b: { totalChecks: number }) => b.totalChecks)).toEqual([0, 2, 2, 2]);
      const days = await get(`/v1/monitors/${monitorId}/stats?region=us-east-1&from=${from}&granularity=day`).expect(200);
      expect(days.body.data.reduce((sum: number, b: { totalChecks: number }) => sum + b.totalChecks, 0)).toBe(6);
      const minutes = await get(`/v1/monitors/${monitorId}/stats?region=us-east-1&from=${from}&granularity=minute`).expect(200);
      expect(minutes.body.data.reduce((sum: number, b: { downChecks: number }) => sum + b.downChecks, 0)).toBe(3);
    });

    it('takes any region of at most 50 characters, as checks may carry, and refuses a longer one and an unknown breakdown', async () => {
      for (const path of ['checks?region=eu_west', 'uptime?region=eu%20west', 'stats?region=-eu']) {
        await get(`/v1/monitors/${monitorId}/${path}`).expect(200);
      }
      const long = await get(`/v1/monitors/${monitorId}/checks?region=${'r'.repeat(51)}`).expect(400);
      expect(long.body.errors.map((e: { field: string }) => e.field)).toEqual(['region']);
      const by = await get(`/v1/monitors/${monitorId}/uptime?by=country`).expect(400);
      expect(by.body.errors.map((e: { field: string }) => e.field)).toEqual(['by']);
    });
  });

  describe('incidents', () => {
    it("lists a monitor's incidents newest first, with open filter", async () => {
      const monitorId = seed.monitors[0].id;
      const response = await get(`/v1/monitors/${monitorId}/incidents`).expect(200);
      const expected = seed.incidents
        .filter((i) => i.monitorId === monitorId)
        .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
      expect(response.body.data.map((i: { id: string }) => i.id)).toEqual(expected.map((i) => i.id));
      const open = response.body.data[0];
      expect(open).toEqual({
        id: expected[0].id,
        monitorId,
        startedAt: hoursAgo(2).toISOString(),
        resolvedAt: null,
        durationSeconds: 7200,
        firstError: 'HTTP 503',
      });
      expect(response.body.data[1].durationSeconds).toBe(3600);
      const onlyOpen = await get(`/v1/monitors/${monitorId}/incidents?open=true`).expect(200);
      expect(onlyOpen.body.data).toHaveLength(1);
      const resolved = await get(`/v1/monitors/${monitorId}/incidents?open=false&limit=1`).expect(200);
      expect(resolved.body.data).toHaveLength(1);
      expect(resolved.body.data[0].resolvedAt).not.toBeNull();
      await get(`/v1/monitors/${randomUUID()}/incidents`).expect(404);
    });

    it("lists the tenant's incidents with monitorId, open, from and to filters and pages", async () => {
      const all = await get('/v1/incidents?limit=500').expect(200);
      expect(all.body.data.length).toBe(seed.incidents.length);
      const byMonitor = await get(`/v1/incidents?monitorId=${seed.monitors[1].id}`).expect(200);
      expect(byMonitor.body.data.map((i: { id: string }) => i.id)).toEqual(
        seed.incidents.filter((i) => i.monitorId === seed.monitors[1].id).map((i) => i.id),
      );
      const recent = await get(`/v1/incidents?from=${hoursAgo(6).toISOString()}&to=${hoursAgo(1).toISOString()}`).expect(200);
      expect(recent.body.data.every((i: { startedAt: string }) => i.startedAt >= hoursAgo(6).toISOString())).toBe(true);
      expect(recent.body.data.length).toBe(seed.incidents.filter((i) => i.startedAt >= hoursAgo(6) && i.startedAt < hoursAgo(1)).length);
      const open = await get('/v1/incidents?open=true').expect(200);
      expect(open.body.data.every((i: { resolvedAt: string | null }) => i.resolvedAt === null)).toBe(true);
      expect(await idsOfAllPages('/v1/incidents?limit=2')).toEqual(all.body.data.map((i: { id: string }) => i.id));
      const bad = await get('/v1/incidents?monitorId=xyz&open=maybe').expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['monitorId', 'open']);
    });

    it('never serves the incidents of a deleted monitor, nor counts them as open', async () => {
      // Written beside the seed's bookkeeping on purpose: no other test may count these rows.
      const rows = [randomUUID(), randomUUID()];
      await pool.query(
        `INSERT INTO incidents (tenant_id, id, monitor_id, started_at, resolved_at, first_error)
         VALUES ($1, $2, $4, $5, NULL, 'HTTP 500'), ($1, $3, $4, $6, $7, 'HTTP 500')`,
        [seed.tenantId, rows[0], rows[1], seed.deletedMonitorId, hoursAgo(0.5), hoursAgo(3), hoursAgo(2.5)],
      );
      try {
        const all = await get('/v1/incidents?limit=500').expect(200);
        expect(all.body.data.map((i: { id: string }) => i.id).sort()).toEqual(seed.incidents.map((i) => i.id).sort());
        expect((await get(`/v1/incidents?monitorId=${seed.deletedMonitorId}`).expect(200)).body.data).toEqual([]);
        expect((await get(`/v1/incidents?open=true&from=${hoursAgo(1).toISOString()}`).expect(200)).body.data).toEqual([]);
        expect(await idsOfAllPages('/v1/incidents?limit=1')).toEqual(all.body.data.map((i: { id: string }) => i.id));
        expect((await get('/v1/summary').expect(200)).body.openIncidents).toBe(seed.incidents.filter((i) => i.resolvedAt === null).length);
      } finally {
        await pool.query('DELETE FROM incidents WHERE tenant_id = $1 AND id = ANY($2::uuid[])', [seed.tenantId, rows]);
      }
    });
  });

  describe('GET /v1/summary', () => {
    it('counts monitors by status, paused, and open incidents', async () => {
      const response = await get('/v1/summary').expect(200);
      const active = seed.monitors.filter((m) => m.isActive);
      expect(response.body).toEqual({
        monitors: {
          total: seed.monitors.length,
          up: active.filter((m) => m.status === 'up').length,
          down: active.filter((m) => m.status === 'down').length,
          unknown: active.filter((m) => m.status === 'unknown').length,
          paused: seed.monitors.length - active.length,
        },
        openIncidents: seed.incidents.filter((i) => i.resolvedAt === null).length,
      });
    });
  });

  describe('GET /v1/audit-events', () => {
    it('lists events newest first without payloads, filters by type and pages', async () => {
      const response = await get('/v1/audit-events').expect(200);
      const expected = [...seed.events].sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime());
      expect(response.body.data.map((e: { eventId: string }) => e.eventId)).toEqual(expected.map((e) => e.eventId));
      expect(Object.keys(response.body.data[0]).sort()).toEqual(
        ['aggregateId', 'aggregateType', 'commandId', 'correlationId', 'eventId', 'issuedBy', 'occurredAt', 'type', 'version'].sort(),
      );
      expect(JSON.stringify(response.body)).not.toContain('never served');
      const created = await get('/v1/audit-events?type=MonitorCreated').expect(200);
      expect(created.body.data).toHaveLength(2);
      const first = await get('/v1/audit-events?limit=3').expect(200);
      const second = await get(`/v1/audit-events?limit=3&cursor=${first.body.nextCursor}`).expect(200);
      expect([...first.body.data, ...second.body.data].map((e: { eventId: string }) => e.eventId)).toEqual(expected.map((e) => e.eventId));
      await get('/v1/audit-events?type=' + encodeURIComponent("x' OR 1=1")).expect(400);
    });
  });

  describe('HTTP behaviour', () => {
    it('answers unknown /v1 paths with problem+json 404', async () => {
      const response = await get('/v1/nothing-here').expect(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 404, title: 'Not Found' });
    });

    it('answers unknown paths, anywhere, with a 404 problem and wrong methods with a 405 problem and Allow', async () => {
      for (const path of ['/not-the-api', '/v1/nothing-here', '/health/nothing']) {
        const response = await request(api.server).get(path).set('x-request-id', 'req-404').expect(404);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body).toEqual({
          type: 'urn:vinsight:problem:not-found',
          title: 'Not Found',
          status: 404,
          detail: `no endpoint GET ${path}`,
          requestId: 'req-404',
        });
      }
      for (const [method, path] of [
        ['post', '/v1/monitors'],
        ['delete', `/v1/monitors/${randomUUID()}`],
        ['put', '/v1/summary'],
      ] as const) {
        const response = await request(api.server)[method](path).expect(405);
        expect(response.headers.allow).toBe('GET, HEAD');
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body).toMatchObject({ type: 'urn:vinsight:problem:method-not-allowed', status: 405 });
      }
    });

    it('sends no CORS headers while CORS_ALLOWED_ORIGINS is unset: a preflight is a 405 problem', async () => {
      const preflight = await request(api.server)
        .options('/v1/monitors')
        .set('origin', 'https://dash.example.com')
        .set('access-control-request-method', 'GET')
        .expect(405);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const plain = await get('/v1/tenant').set('origin', 'https://dash.example.com').expect(200);
      expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('answers preflights and marks answers for the origins of CORS_ALLOWED_ORIGINS only', async () => {
      const cors = await startReadApi({ env: { CORS_ALLOWED_ORIGINS: 'https://dash.example.com, http://localhost:5173' } });
      try {
        const preflight = await request(cors.server)
          .options(`/v1/monitors/${randomUUID()}/stats`)
          .set('origin', 'http://localhost:5173')
          .set('access-control-request-method', 'GET')
          .set('access-control-request-headers', 'authorization, x-consistency-token')
          .expect(204);
        expect(preflight.headers).toMatchObject({
          'access-control-allow-origin': 'http://localhost:5173',
          'access-control-allow-methods': 'GET, HEAD',
          'access-control-allow-headers': expect.stringContaining('authorization'),
          'access-control-max-age': '600',
        });
        const answer = await request(cors.server)
          .get('/v1/tenant')
          .set(bearer(seed.token))
          .set('origin', 'https://dash.example.com')
          .expect(200);
        expect(answer.headers['access-control-allow-origin']).toBe('https://dash.example.com');
        expect(answer.headers['access-control-expose-headers']).toEqual(expect.stringContaining('ratelimit-reset'));
        const stranger = await request(cors.server)
          .get('/v1/tenant')
          .set(bearer(seed.token))
          .set('origin', 'https://evil.example')
          .expect(200);
        expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
      } finally {
        await cors.close();
      }
    });

    it('echoes or creates request and correlation ids', async () => {
      const given = await get('/v1/tenant').set('x-request-id', 'req-123').set('x-correlation-id', 'corr-456').expect(200);
      expect(given.headers['x-request-id']).toBe('req-123');
      expect(given.headers['x-correlation-id']).toBe('corr-456');
      const created = await get('/v1/tenant').expect(200);
      expect(created.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.headers['x-correlation-id']).toBe(created.headers['x-request-id']);
      const problem = await get('/v1/monitors/nope').set('x-request-id', 'req-789').expect(404);
      expect(problem.body.requestId).toBe('req-789');
    });

    it('compresses large responses', async () => {
      const response = await get('/v1/audit-events?limit=500').set('accept-encoding', 'gzip').expect(200);
      expect(Number(response.headers['content-length'] ?? 0)).toBeLessThan(1024);
      expect(response.headers['content-encoding']).toBe('gzip');
      expect(response.body.data.length).toBeGreaterThan(0);
    });
  });
});
