import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Outcome of one command, as counted by `vinsight_commands_total`. */
export type CommandOutcome = 'accepted' | 'rejected' | 'duplicate' | 'dead_lettered';

/** A pg Pool as far as its gauges need it. */
export interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** One partition of a consumer group as far as its lag goes: records after what the group has processed. */
export interface ConsumerLagSample {
  topic: string;
  lag: number;
}

export interface PartitionLagSample {
  topic: string;
  partition: number;
  lag: number;
}

/**
 * Requests that wait for a connection because none is free. pg-pool queues every request, even
 * one an idle client is about to take (it hands clients out on the next tick), so its
 * waitingCount alone reads above 0 whenever a query has just started, on a pool doing nothing else.
 */
export function clientsWaiting(counts: PoolCounts): number {
  return Math.max(0, counts.waitingCount - counts.idleCount);
}

const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SIZE_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

/**
 * Every metric the service exports, on one registry per process (or per test app, so tests
 * never collide on prom-client's global registry). Roles record through the helper methods
 * rather than the raw objects, so label names and values stay consistent across the code.
 */
export class AppMetrics {
  readonly registry: Registry;

  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly commands: Counter<'type' | 'outcome' | 'code'>;
  readonly commandDuration: Histogram<'type' | 'outcome'>;
  readonly eventsProjected: Counter<'projection' | 'type'>;
  readonly batchSize: Histogram<'component'>;
  readonly batchDuration: Histogram<'component'>;
  readonly projectionLag: Gauge<'projection' | 'topic' | 'partition'>;
  readonly replicationLagSeconds: Gauge;
  readonly replicationLagBytes: Gauge;
  readonly poolConnections: Gauge<'pool' | 'state'>;
  readonly eventsParked: Counter<'projection'>;
  readonly consumerReplacements: Counter<'group'>;
  readonly parkedEventsWaiting: Gauge<'projection'>;
  readonly stuckPartitions: Gauge<'group'>;
  readonly consumerLag: Gauge<'group' | 'topic'>;
  readonly readinessCheck: Gauge<'check'>;

  private readonly pools = new Map<string, PoolCounts>();
  /** Topics each group has reported, so a topic whose partitions all moved elsewhere reads 0, not its last lag. */
  private readonly laggingTopics = new Map<string, Set<string>>();
  private projectionLagRefresh?: () => Promise<void>;
  private stuckPartitionsRefresh?: () => Promise<void>;

  constructor(options: { service: string; defaultMetrics?: boolean; registry?: Registry }) {
    this.registry = options.registry ?? new Registry();
    this.registry.setDefaultLabels({ service: options.service });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];

    this.httpRequestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.commands = new Counter({
      name: 'vinsight_commands_total',
      help: 'Commands handled, by type and outcome (code is the error code of a rejection)',
      labelNames: ['type', 'outcome', 'code'],
      registers,
    });
    this.commandDuration = new Histogram({
      name: 'vinsight_command_duration_seconds',
      help: 'Time from the command processor taking a command into a Kafka transaction to its commit (results written), by type and outcome',
      labelNames: ['type', 'outcome'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.eventsProjected = new Counter({
      name: 'vinsight_events_projected_total',
      help: 'Events applied to the read models, by projection and event type',
      labelNames: ['projection', 'type'],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'vinsight_batch_size',
      help: 'Messages per batch (command transactions, projector batches), by component',
      labelNames: ['component'],
      buckets: SIZE_BUCKETS,
      registers,
    });
    this.batchDuration = new Histogram({
      name: 'vinsight_batch_duration_seconds',
      help: 'Time to process and commit one batch, by component',
      labelNames: ['component'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    const pools = this.pools;
    this.poolConnections = new Gauge({
      name: 'vinsight_pg_pool_connections',
      help: 'Connections of each pg pool: total, idle, and clients waiting for one',
      labelNames: ['pool', 'state'],
      registers,
      // Registered before every gauge whose collect queries Postgres, so that it reads the pools
      // before those queries start: a scrape would otherwise see its own queries as waiting.
      collect() {
        for (const [pool, counts] of pools) {
          this.set({ pool, state: 'total' }, counts.totalCount);
          this.set({ pool, state: 'idle' }, counts.idleCount);
          this.set({ pool, state: 'active' }, counts.totalCount - counts.idleCount);
          this.set({ pool, state: 'waiting' }, clientsWaiting(counts));
        }
      },
    });
    const refreshLag = () => this.projectionLagRefresh?.();
    this.projectionLag = new Gauge({
      name: 'vinsight_projection_lag_events',
      help: 'Events between the projection checkpoint and the high watermark, per partition',
      labelNames: ['projection', 'topic', 'partition'],
      registers,
      // Measured afresh on every scrape: readiness probes also set it, but nothing promises a
      // scrape comes right after one, and a stale lag would hide a stalled projector.
      async collect() {
        await refreshLag();
      },
    });
    this.replicationLagSeconds = new Gauge({
      name: 'vinsight_replication_lag_seconds',
      help: 'Age of the last transaction replayed by the replica (0 when all received WAL is replayed)',
      registers,
    });
    this.replicationLagBytes = new Gauge({
      name: 'vinsight_replication_lag_bytes',
      help: 'WAL received by the replica but not replayed yet',
      registers,
    });
    this.eventsParked = new Counter({
      name: 'vinsight_events_parked_total',
      help: 'Events a projection could not apply and parked, by projection',
      labelNames: ['projection'],
      registers,
    });
    this.parkedEventsWaiting = new Gauge({
      name: 'vinsight_parked_events',
      help: 'Parked events no replay has resolved yet, by projection (readiness fails while any wait)',
      labelNames: ['projection'],
      registers,
      // Counted with the projection lag, by the same refresh.
      async collect() {
        await refreshLag();
      },
    });
    this.consumerReplacements = new Counter({
      name: 'vinsight_consumer_replacements_total',
      help: 'Kafka consumers of this process replaced after showing no sign of life (no join, heartbeat or fetch) for longer than a rebalance, by group',
      labelNames: ['group'],
      registers,
    });
    const refreshStuck = () => this.stuckPartitionsRefresh?.();
    this.stuckPartitions = new Gauge({
      name: 'vinsight_stuck_partitions',
      help: 'Partitions of a consumer group of this process with input waiting and no progress for READINESS_STUCK_PARTITION_SECONDS',
      labelNames: ['group'],
      registers,
      async collect() {
        await refreshStuck();
      },
    });
    this.consumerLag = new Gauge({
      name: 'vinsight_consumer_lag',
      help: 'Records waiting for a consumer group of this process, by group and topic, over the partitions this process holds (sum by group and topic across processes for the whole group)',
      labelNames: ['group', 'topic'],
      registers,
      // Measured with the stuck partitions, by the same refresh.
      async collect() {
        await refreshStuck();
      },
    });
    this.readinessCheck = new Gauge({
      name: 'vinsight_readiness_check',
      help: 'Verdict of each readiness check at the last /health/ready (1 up, 0 down)',
      labelNames: ['check'],
      registers,
    });
  }

  recordCommand(type: string, outcome: CommandOutcome, code = ''): void {
    this.commands.inc({ type, outcome, code });
  }

  /** `type` must come from a fixed set (see commandTypeLabel): every value is a series kept for the life of the process. */
  observeCommandDuration(type: string, outcome: CommandOutcome, seconds: number): void {
    this.commandDuration.observe({ type, outcome }, seconds);
  }

  recordEventsProjected(projection: string, type: string, count = 1): void {
    this.eventsProjected.inc({ projection, type }, count);
  }

  observeBatch(component: string, size: number, seconds: number): void {
    this.batchSize.observe({ component }, size);
    this.batchDuration.observe({ component }, seconds);
  }

  /** Starts timing a batch; call the result with the batch's size once it is committed. */
  startBatch(component: string, now: () => number = () => performance.now()): (size: number) => void {
    const started = now();
    return (size) => this.observeBatch(component, size, (now() - started) / 1000);
  }

  setProjectionLag(projection: string, partitions: readonly PartitionLagSample[]): void {
    for (const { topic, partition, lag } of partitions) {
      this.projectionLag.set({ projection, topic, partition: String(partition) }, lag);
    }
  }

  /**
   * What measures the projection lag (setting it through setProjectionLag) when /metrics is
   * scraped. It must bound its own time and never reject: a scrape still answers when Kafka
   * does not, with the last values.
   */
  refreshProjectionLagWith(refresh: () => Promise<void>): void {
    this.projectionLagRefresh = refresh;
  }

  recordConsumerReplaced(group: string): void {
    this.consumerReplacements.inc({ group });
  }

  recordEventsParked(projection: string, count: number): void {
    this.eventsParked.inc({ projection }, count);
  }

  setParkedEventsWaiting(projection: string, count: number): void {
    this.parkedEventsWaiting.set({ projection }, count);
  }

  setStuckPartitions(group: string, stuck: number): void {
    this.stuckPartitions.set({ group }, stuck);
  }

  setReadinessCheck(check: string, up: boolean): void {
    this.readinessCheck.set({ check }, up ? 1 : 0);
  }

  /** Sets a group's lag per topic from its partitions held here. */
  setConsumerLag(group: string, partitions: readonly ConsumerLagSample[]): void {
    const byTopic = new Map<string, number>();
    for (const { topic, lag } of partitions) byTopic.set(topic, (byTopic.get(topic) ?? 0) + Math.max(0, lag));
    const seen = this.laggingTopics.get(group) ?? new Set<string>();
    for (const topic of seen) if (!byTopic.has(topic)) this.consumerLag.set({ group, topic }, 0);
    for (const [topic, lag] of byTopic) {
      this.consumerLag.set({ group, topic }, lag);
      seen.add(topic);
    }
    this.laggingTopics.set(group, seen);
  }

  /** What measures stuck partitions when /metrics is scraped; the same rules as refreshProjectionLagWith. */
  refreshStuckPartitionsWith(refresh: () => Promise<void>): void {
    this.stuckPartitionsRefresh = refresh;
  }

  setReplicationLag(seconds: number | null, bytes: number): void {
    if (seconds !== null) this.replicationLagSeconds.set(seconds);
    this.replicationLagBytes.set(bytes);
  }

  /** Reports the pool's connection counts on every scrape. */
  trackPool(name: string, pool: PoolCounts): void {
    this.pools.set(name, pool);
  }

  observeHttpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpRequestDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  }
}
