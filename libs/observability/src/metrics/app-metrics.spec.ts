import { AppMetrics } from './app-metrics';

/** The value of one series in Prometheus text, whatever the order of its labels, or undefined. */
function sample(text: string, series: string): number | undefined {
  const key = (name: string, labels: string) => `${name}{${labels.split(',').filter(Boolean).sort().join(',')}}`;
  const [, wantedName, wantedLabels = ''] = /^([^{ ]+)(?:\{(.*)\})?$/.exec(series)!;
  for (const line of text.split('\n')) {
    const match = /^([^{ ]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match && key(match[1], match[2] ?? '') === key(wantedName, wantedLabels)) return Number(match[3]);
  }
  return undefined;
}

describe('AppMetrics', () => {
  it('counts commands by type and outcome, with the service label', async () => {
    const metrics = new AppMetrics({ service: 'command-processor', defaultMetrics: false });
    metrics.recordCommand('CreateMonitor', 'accepted');
    metrics.recordCommand('CreateMonitor', 'accepted');
    metrics.recordCommand('CreateMonitor', 'rejected', 'PLAN_LIMIT_EXCEEDED');
    const text = await metrics.registry.metrics();
    expect(sample(text, 'vinsight_commands_total{type="CreateMonitor",outcome="accepted",code="",service="command-processor"}')).toBe(2);
    expect(
      sample(
        text,
        'vinsight_commands_total{type="CreateMonitor",outcome="rejected",code="PLAN_LIMIT_EXCEEDED",service="command-processor"}',
      ),
    ).toBe(1);
  });

  it('records batches, projected events and lag per partition', async () => {
    let now = 0;
    const metrics = new AppMetrics({ service: 'projector', defaultMetrics: false });
    const done = metrics.startBatch('projector', () => now);
    now = 250;
    done(40);
    metrics.recordEventsProjected('read-models', 'MonitorCreated', 40);
    metrics.setProjectionLag('read-models', [
      { topic: 'vinsight.events', partition: 0, lag: 3 },
      { topic: 'vinsight.events', partition: 1, lag: 0 },
    ]);
    metrics.setReplicationLag(1.5, 2048);
    const text = await metrics.registry.metrics();
    expect(sample(text, 'vinsight_batch_size_sum{component="projector",service="projector"}')).toBe(40);
    expect(sample(text, 'vinsight_batch_duration_seconds_sum{component="projector",service="projector"}')).toBe(0.25);
    expect(sample(text, 'vinsight_events_projected_total{projection="read-models",type="MonitorCreated",service="projector"}')).toBe(40);
    expect(
      sample(text, 'vinsight_projection_lag_events{projection="read-models",topic="vinsight.events",partition="0",service="projector"}'),
    ).toBe(3);
    expect(sample(text, 'vinsight_replication_lag_seconds{service="projector"}')).toBe(1.5);
    expect(sample(text, 'vinsight_replication_lag_bytes{service="projector"}')).toBe(2048);
  });

  it('measures the projection lag afresh on every scrape', async () => {
    const metrics = new AppMetrics({ service: 'projector', defaultMetrics: false });
    let lag = 12;
    metrics.refreshProjectionLagWith(async () =>
      metrics.setProjectionLag('read-models', [{ topic: 'vinsight.events', partition: 0, lag }]),
    );
    const series = 'vinsight_projection_lag_events{projection="read-models",topic="vinsight.events",partition="0",service="projector"}';
    expect(sample(await metrics.registry.metrics(), series)).toBe(12);
    lag = 0;
    expect(sample(await metrics.registry.metrics(), series)).toBe(0);
  });

  it('reads pool gauges at scrape time', async () => {
    const metrics = new AppMetrics({ service: 'read-api', defaultMetrics: false });
    const pool = { totalCount: 4, idleCount: 1, waitingCount: 0 };
    metrics.trackPool('api', pool);
    Object.assign(pool, { idleCount: 0, waitingCount: 7 });
    const text = await metrics.registry.metrics();
    expect(sample(text, 'vinsight_pg_pool_connections{pool="api",state="active",service="read-api"}')).toBe(4);
    expect(sample(text, 'vinsight_pg_pool_connections{pool="api",state="waiting",service="read-api"}')).toBe(7);
  });

  it('keeps two instances apart (one registry each)', async () => {
    const a = new AppMetrics({ service: 'a' });
    const b = new AppMetrics({ service: 'b' });
    a.recordCommand('X', 'accepted');
    expect(await b.registry.metrics()).not.toContain('type="X"');
    expect(await a.registry.metrics()).toContain('process_cpu_user_seconds_total');
  });
});

describe('AppMetrics consumer lag', () => {
  it('sums a group lag per topic, and a topic no longer held reads 0', async () => {
    const metrics = new AppMetrics({ service: 'projector', defaultMetrics: false });
    metrics.setConsumerLag('g.projector', [
      { topic: 'vinsight.events', lag: 3 },
      { topic: 'vinsight.events', lag: 4 },
      { topic: 'vinsight.check-events', lag: 1 },
    ]);
    let text = await metrics.registry.metrics();
    expect(sample(text, 'vinsight_consumer_lag{group="g.projector",topic="vinsight.events",service="projector"}')).toBe(7);
    expect(sample(text, 'vinsight_consumer_lag{group="g.projector",topic="vinsight.check-events",service="projector"}')).toBe(1);
    metrics.setConsumerLag('g.projector', [{ topic: 'vinsight.events', lag: 2 }]);
    text = await metrics.registry.metrics();
    expect(sample(text, 'vinsight_consumer_lag{group="g.projector",topic="vinsight.events",service="projector"}')).toBe(2);
    expect(sample(text, 'vinsight_consumer_lag{group="g.projector",topic="vinsight.check-events",service="projector"}')).toBe(0);
  });

  it('keeps the command duration series to the label values it is given', async () => {
    const metrics = new AppMetrics({ service: 'command-processor', defaultMetrics: false });
    metrics.observeCommandDuration('CreateMonitor', 'accepted', 0.02);
    metrics.observeCommandDuration('CreateMonitor', 'rejected', 0.03);
    const text = await metrics.registry.metrics();
    expect(
      sample(text, 'vinsight_command_duration_seconds_count{type="CreateMonitor",outcome="accepted",service="command-processor"}'),
    ).toBe(1);
    expect(
      sample(text, 'vinsight_command_duration_seconds_count{type="CreateMonitor",outcome="rejected",service="command-processor"}'),
    ).toBe(1);
  });
});

describe('AppMetrics pool gauges', () => {
  const waiting = (text: string) => sample(text, 'vinsight_pg_pool_connections{pool="projector",state="waiting",service="projector"}');

  it('does not count the queries the scrape itself starts (lag, parked events) as waiting', async () => {
    const pool = { totalCount: 2, idleCount: 0, waitingCount: 0 };
    const metrics = new AppMetrics({ service: 'projector', defaultMetrics: false });
    metrics.trackPool('projector', pool);
    // What a lag measurement does to a busy pool: its queries queue at once, before any await.
    metrics.refreshProjectionLagWith(async () => {
      pool.waitingCount += 2;
      await Promise.resolve();
      pool.waitingCount -= 2;
    });
    expect(waiting(await metrics.registry.metrics())).toBe(0);
  });

  it('counts as waiting only the requests no idle client is about to take', async () => {
    const pool = { totalCount: 3, idleCount: 3, waitingCount: 2 };
    const metrics = new AppMetrics({ service: 'projector', defaultMetrics: false });
    metrics.trackPool('projector', pool);
    expect(waiting(await metrics.registry.metrics())).toBe(0);
    Object.assign(pool, { idleCount: 0, waitingCount: 4 });
    expect(waiting(await metrics.registry.metrics())).toBe(4);
  });
});
