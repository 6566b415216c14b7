import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { TopicNames } from '@vinsight/kafka';
import { ProjectionLagService } from '@vinsight/projections';
import { seededRandom } from '../../scripts/bench-projector.workload';
import { publishRecords, recordFor, TenantEvents } from './support/raw-events';
import { createTestTopics, deleteTestTopics, InProcessProjector, testKafka, waitUntilCaughtUp } from './support/projector-harness';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';

const NOW = Date.parse('2026-03-31T00:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const clock = { now: () => new Date(NOW) };

interface GeneratedCheck {
  at: number;
  status: 'up' | 'down' | 'error';
  responseTimeMs?: number;
}

/** Outages (start, length) relative to NOW: inside 24h, 7d, 30d and 90d. */
const OUTAGES = [
  { startsAgo: 2 * HOUR, lasts: 40 * MINUTE },
  { startsAgo: 3 * DAY + 5 * HOUR, lasts: 2 * HOUR },
  { startsAgo: 20 * DAY, lasts: 5 * HOUR },
  { startsAgo: 60 * DAY + 7 * HOUR, lasts: DAY },
];

const WINDOWS = [
  { name: '24h', length: DAY, rollups: 'monitor_check_rollups_hourly' },
  { name: '7d', length: 7 * DAY, rollups: 'monitor_check_rollups_daily' },
  { name: '30d', length: 30 * DAY, rollups: 'monitor_check_rollups_daily' },
  { name: '90d', length: 90 * DAY, rollups: 'monitor_check_rollups_daily' },
] as const;

/** A check every 20 minutes for 90 days: log-normal latencies with a slow tail, and four outages. */
function generateChecks(): GeneratedCheck[] {
  const random = seededRandom(90);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const checks: GeneratedCheck[] = [];
  for (let at = NOW - 90 * DAY + 7 * MINUTE; at < NOW; at += 20 * MINUTE) {
    const down = OUTAGES.some((o) => at >= NOW - o.startsAgo && at < NOW - o.startsAgo + o.lasts);
    const latency = Math.min(600000, Math.round(Math.exp(5.2 + 0.5 * normal()) * (random() < 0.04 ? 8 : 1)));
    if (!down) checks.push({ at, status: 'up', responseTimeMs: latency });
    else checks.push(random() < 0.5 ? { at, status: 'down', responseTimeMs: latency * 3 } : { at, status: 'error' });
  }
  return checks;
}

/** The exact continuous percentile (as Postgres's percentile_cont computes it). */
function exactPercentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = fraction * (sorted.length - 1);
  const low = Math.floor(position);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (position - low);
}

describe('uptime, downtime and p95 from the rollups on known data', () => {
  let db: ScratchDatabase;
  let pool: Pool;
  let kafka: Kafka;
  let topics: TopicNames;
  let lag: ProjectionLagService;
  const t = new TenantEvents('accuracy', NOW - 91 * DAY);
  const monitorId = t.id('api');
  const checks = generateChecks();
  const incidents: { startedAt: number; resolvedAt: number }[] = [];

  beforeAll(async () => {
    db = await createScratchDatabase('accuracy');
    pool = db.projectorPool();
    kafka = testKafka();
    topics = await createTestTopics(kafka, 'accuracy', 1);
    lag = new ProjectionLagService(kafka, pool, [topics.events, topics.checkEvents]);
    const key = t.tenantId;
    const records = [recordFor(topics.events, key, t.tenantCreated('enterprise')), recordFor(topics.events, key, t.monitorCreated('api'))];
    let status: 'unknown' | 'up' | 'down' = 'unknown';
    checks.forEach((check, i) => {
      const checkId = t.id(`check-${i}`);
      const checkedAt = new Date(check.at).toISOString();
      const extra = {
        checkId,
        status: check.status,
        responseTimeMs: check.responseTimeMs,
        statusCode: check.status === 'error' ? undefined : check.status === 'up' ? 200 : 503,
      };
      records.push(recordFor(topics.checkEvents, key, t.check('api', `check-${i}`, 0, { ...extra, checkedAt })));
      const to = check.status === 'up' ? 'up' : 'down';
      if (to !== status) {
        records.push(
          recordFor(
            topics.events,
            key,
            t.event('MonitorStatusChanged', 'monitor', monitorId, { monitorId, from: status, to, checkId, checkedAt }),
          ),
        );
        if (to === 'down') incidents.push({ startedAt: check.at, resolvedAt: Number.NaN });
        else if (status === 'down') incidents[incidents.length - 1].resolvedAt = check.at;
        status = to;
      }
    });
    await publishRecords(kafka, `accuracy-${topics.events}`, records);
    const projector = new InProcessProjector(kafka, pool, topics, clock);
    await projector.start();
    try {
      await waitUntilCaughtUp(lag, 120000);
    } finally {
      await projector.stop();
    }
  }, 180000);

  afterAll(async () => {
    await lag?.close();
    await deleteTestTopics(kafka, topics);
    await db?.drop();
  });

  it('records the four outages as incidents with their start and end', async () => {
    const { rows } = await pool.query('SELECT started_at, resolved_at FROM incidents ORDER BY started_at');
    expect(rows.map((r) => [r.started_at.getTime(), r.resolved_at.getTime()])).toEqual(incidents.map((i) => [i.startedAt, i.resolvedAt]));
    expect(rows).toHaveLength(OUTAGES.length);
  });

  it.each(WINDOWS)('$name: counts, uptime and downtime match the known data', async (window) => {
    const from = NOW - window.length;
    const inWindow = checks.filter((c) => c.at >= from && c.at < NOW);
    const { rows } = await pool.query(
      `SELECT sum(total_checks)::int AS total, sum(up_checks)::int AS up, sum(down_checks)::int AS down, sum(error_checks)::int AS error
       FROM ${window.rollups} WHERE monitor_id = $1 AND bucket_start >= $2 AND bucket_start < $3`,
      [monitorId, new Date(from), new Date(NOW)],
    );
    expect(rows[0]).toEqual({
      total: inWindow.length,
      up: inWindow.filter((c) => c.status === 'up').length,
      down: inWindow.filter((c) => c.status === 'down').length,
      error: inWindow.filter((c) => c.status === 'error').length,
    });
    const uptime = (rows[0].up / rows[0].total) * 100;
    expect(uptime).toBeCloseTo((inWindow.filter((c) => c.status === 'up').length / inWindow.length) * 100, 10);

    const downtime = await pool.query<{ seconds: number; count: number }>(
      `SELECT coalesce(sum(extract(epoch FROM least(coalesce(resolved_at, $3), $3) - greatest(started_at, $2))), 0)::float8 AS seconds,
              count(*)::int AS count
       FROM incidents WHERE monitor_id = $1 AND started_at < $3 AND coalesce(resolved_at, $3) > $2`,
      [monitorId, new Date(from), new Date(NOW)],
    );
    const expectedSeconds = incidents.reduce(
      (sum, i) => sum + Math.max(0, Math.min(i.resolvedAt, NOW) - Math.max(i.startedAt, from)) / 1000,
      0,
    );
    expect(downtime.rows[0]).toEqual({
      seconds: expectedSeconds,
      count: incidents.filter((i) => i.startedAt < NOW && i.resolvedAt > from).length,
    });
    expect(expectedSeconds).toBeGreaterThan(0);
  });

  it.each(WINDOWS)('$name: p95 from the rollups is within 5% of the exact p95 of the raw checks', async (window) => {
    const from = NOW - window.length;
    const latencies = checks.filter((c) => c.at >= from && c.at < NOW && c.responseTimeMs !== undefined).map((c) => c.responseTimeMs!);
    const exact = exactPercentile(latencies, 0.95);
    const raw = await pool.query<{ p95: number }>(
      `SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_ms) AS p95
       FROM monitor_checks WHERE monitor_id = $1 AND checked_at >= $2 AND checked_at < $3`,
      [monitorId, new Date(from), new Date(NOW)],
    );
    expect(raw.rows[0].p95).toBeCloseTo(exact, 6);
    const fromRollups = await pool.query<{ p95: number; avg: number }>(
      `SELECT latency_histogram_percentile(latency_histogram_sum(latency_histogram), 0.95) AS p95,
              sum(response_time_sum_ms)::float8 / sum(response_time_count) AS avg
       FROM ${window.rollups} WHERE monitor_id = $1 AND bucket_start >= $2 AND bucket_start < $3`,
      [monitorId, new Date(from), new Date(NOW)],
    );
    const { p95, avg } = fromRollups.rows[0];
    expect(Math.abs(p95 - exact) / exact).toBeLessThanOrEqual(0.05);
    expect(avg).toBeCloseTo(latencies.reduce((a, b) => a + b, 0) / latencies.length, 6);
  });
});
