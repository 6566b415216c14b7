import type { PersonalDataKeys } from '@vinsight/personal-data';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import { CHECKPOINT_PAYLOAD_SQL, EVERY_TENANT, READ_MODEL_CHANNELS } from '@vinsight/database';
import { BatchRunner, BatchRunnerLogger } from '../apply/batch-runner';
import { ProjectionTarget } from '../projection-target';
import { CheckpointStore, StoredCheckpoint } from '../checkpoints/checkpoint.store';
import type { Clock } from '@vinsight/runtime';
import { ProjectionConsumer } from '../consumer/projection-consumer';
import { ProjectionLagService, TopicOffsets } from '../lag/projection-lag.service';
import { CheckPartitions } from '../partitions/check-partitions';
import { READ_MODELS_PROJECTION } from '../projections.constants';
import { carryOverExpiredChecks } from './expired-checks.carry-over';
import { progressOf, RebuildProgress } from './rebuild-progress';

/** Well below deadlock_timeout (1 s by default): a reader waiting on the switch is never a deadlock victim. */
const SWITCH_LOCK_TIMEOUT_MS = 100;
const LOCK_NOT_AVAILABLE = '55P03';

export interface RebuildOptions {
  /** Prefix of the rebuild's throwaway consumer group. */
  groupPrefix: string;
  /** `[events, check-events]`. */
  topics: [string, string];
  clock: Clock;
  logger: BatchRunnerLogger & { log(message: string): void };
  onProgress?: (progress: RebuildProgress) => void;
  progressIntervalMs?: number;
  /** How long the switch may hold the live projection still while the build catches up with it. */
  switchWaitMs?: number;
  switchAttempts?: number;
  /** The keys the users read model opens personal data with (README, Personal data). */
  personalData: PersonalDataKeys;
}

export interface RebuildReport {
  buildSchema: string;
  events: number;
  durationMs: number;
  eventsPerSecond: number;
  /** The live checkpoints after the switch. */
  checkpoints: StoredCheckpoint[];
}

/**
 * `projections rebuild`: replays both topics from their start into a build schema beside the
 * live tables (ARCHITECTURE decision 3), while the live projector and the read API keep running,
 * then switches atomically:
 *
 * 1. the build consumer catches up with the end of the topics as they were at the start;
 * 2. one transaction locks the live checkpoints (EXCLUSIVE: readers go on, live batches wait
 *    before touching any table), waits until the build has applied at least as far as the live
 *    projection in every partition, stops the build consumer, swaps the tables
 *    (projector.rebuild_switch), makes the build's checkpoints the live ones and hands its parked
 *    events over, and commits. The live projector's next batch finds the new checkpoints and skips
 *    what the build already applied.
 * 3. the retired tables are dropped.
 */
export class ProjectionRebuild {
  constructor(
    private readonly pool: Pool,
    private readonly kafka: Kafka,
    private readonly options: RebuildOptions,
  ) {}

  async run(): Promise<RebuildReport> {
    const started = Date.now();
    const suffix = `${this.options.clock.now().toISOString().replace(/\D/g, '').slice(0, 14)}_${randomBytes(3).toString('hex')}`;
    const buildSchema = `projection_build_${suffix}`;
    const retiredSchema = `projection_retired_${suffix}`;
    const target = ProjectionTarget.build(buildSchema);
    await this.pool.query('SELECT projector.rebuild_prepare($1)', [buildSchema]);
    const lagService = new ProjectionLagService(this.kafka, this.pool, this.options.topics, target);
    const runner = new BatchRunner(
      this.pool,
      target,
      new CheckPartitions(this.pool, target, this.options.clock),
      this.options.logger,
      this.options.personalData,
    );
    const consumer = new ProjectionConsumer(this.kafka, runner, {
      groupId: `${this.options.groupPrefix}.rebuild.${suffix}`,
      topics: this.options.topics,
      logger: this.options.logger,
    });
    let consumerRunning = false;
    try {
      const startOffsets = await lagService.topicOffsets();
      const total = totalEvents(startOffsets);
      await consumer.start();
      consumerRunning = true;
      await this.catchUp(runner.checkpointStore, consumer, startOffsets, total, started);
      this.report('switching', await this.appliedSoFar(runner.checkpointStore, startOffsets), total, started);
      const checkTopic = startOffsets.get(this.options.topics[1]) ?? [];
      if (checkTopic.some((p) => p.low > 0)) {
        const carried = await carryOverExpiredChecks(this.pool, buildSchema);
        this.options.logger.log(
          `check-events no longer holds its oldest records: carried over ${JSON.stringify(carried)} from the live tables`,
        );
      }
      await this.pool.query('SELECT projector.rebuild_analyze($1)', [buildSchema]);
      const checkpoints = await this.switchOver(target, retiredSchema, consumer, () => {
        consumerRunning = false;
      });
      this.report('done', total, total, started);
      await this.pool.query('SELECT projector.rebuild_drop($1)', [retiredSchema]);
      await this.pool.query('SELECT projector.rebuild_drop($1)', [buildSchema]);
      const durationMs = Date.now() - started;
      return { buildSchema, events: total, durationMs, eventsPerSecond: total / (durationMs / 1000), checkpoints };
    } catch (error) {
      if (consumerRunning) await consumer.stop().catch(() => undefined);
      await this.pool.query('SELECT projector.rebuild_drop($1)', [buildSchema]).catch(() => undefined);
      throw error;
    } finally {
      await lagService.close();
    }
  }

  private async catchUp(
    checkpoints: CheckpointStore,
    consumer: ProjectionConsumer,
    startOffsets: Map<string, TopicOffsets[]>,
    total: number,
    started: number,
  ): Promise<void> {
    const interval = this.options.progressIntervalMs ?? 1000;
    for (;;) {
      // a consumer KafkaJS will not restart makes no more progress: fail instead of waiting forever
      if (consumer.fatalError) throw new Error(`the rebuild's consumer stopped: ${consumer.fatalError.message}`);
      const stored = await checkpoints.all(this.pool);
      const applied = appliedOf(stored, startOffsets);
      this.report('replaying', applied, total, started);
      if (reached(stored, startOffsets)) return;
      await sleep(interval);
    }
  }

  private async appliedSoFar(checkpoints: CheckpointStore, startOffsets: Map<string, TopicOffsets[]>): Promise<number> {
    return appliedOf(await checkpoints.all(this.pool), startOffsets);
  }

  private async switchOver(
    target: ProjectionTarget,
    retiredSchema: string,
    consumer: ProjectionConsumer,
    stopped: () => void,
  ): Promise<StoredCheckpoint[]> {
    const liveStore = new CheckpointStore(ProjectionTarget.live());
    const buildStore = new CheckpointStore(target);
    const attempts = this.options.switchAttempts ?? 5;
    for (let attempt = 1; ; attempt += 1) {
      const client = await this.pool.connect();
      let committed = false;
      try {
        await client.query('BEGIN');
        await client.query("SET LOCAL lock_timeout = '30s'");
        await client.query('SET LOCAL statement_timeout = 0');
        await client.query('LOCK TABLE public.projection_checkpoints IN EXCLUSIVE MODE');
        const live = await liveStore.all(client);
        if (!(await this.waitUntilBuildCovers(buildStore, live))) {
          await client.query('ROLLBACK');
          if (attempt >= attempts) throw new Error(`the build did not catch up with the live projection in ${attempts} attempts`);
          this.options.logger.warn(`switch attempt ${attempt}: the build is still behind the live projection; catching up`);
          continue;
        }
        await consumer.stop();
        stopped();
        await this.lockLiveTables(client);
        const built = await buildStore.all(client);
        const behind = live.filter((l) => checkpointOf(built, l) < l.nextOffset);
        if (behind.length > 0)
          throw new Error(`the build fell behind the live projection on ${behind.map((b) => `${b.topic}[${b.partition}]`).join(', ')}`);
        await client.query('SELECT projector.rebuild_switch($1, $2)', [target.buildSchema, retiredSchema]);
        await this.takeOverCheckpoints(client, target, built);
        await client.query(`DELETE FROM projector.parked_events WHERE projection = $1`, [READ_MODELS_PROJECTION]);
        await client.query(`UPDATE projector.parked_events SET projection = $1 WHERE projection = $2`, [
          READ_MODELS_PROJECTION,
          target.parkedProjection,
        ]);
        await client.query('COMMIT');
        committed = true;
        return built;
      } finally {
        if (!committed) await client.query('ROLLBACK').catch(() => undefined);
        client.release();
      }
    }
  }

  /**
   * Takes every lock the switch needs at once (projector.rebuild_lock_live_tables), waiting at
   * most a moment: readers hold some of these tables and may wait for others, so waiting longer
   * could deadlock with them. When the locks are not free in time, the attempt is rolled back to
   * the savepoint (releasing what it got), the readers finish, and it tries again.
   */
  private async lockLiveTables(client: PoolClient): Promise<void> {
    const deadline = Date.now() + (this.options.switchWaitMs ?? 10000) * 3;
    for (;;) {
      await client.query('SAVEPOINT switch_locks');
      try {
        await client.query(`SET LOCAL lock_timeout = '${SWITCH_LOCK_TIMEOUT_MS}ms'`);
        await client.query('SELECT projector.rebuild_lock_live_tables()');
        await client.query("SET LOCAL lock_timeout = '30s'");
        await client.query('RELEASE SAVEPOINT switch_locks');
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE || Date.now() > deadline) throw error;
        await client.query('ROLLBACK TO SAVEPOINT switch_locks');
        await sleep(10 + Math.floor(Math.random() * 40));
      }
    }
  }

  /** Polls (outside the switch transaction's snapshot: READ COMMITTED) until build >= live everywhere. */
  private async waitUntilBuildCovers(buildStore: CheckpointStore, live: StoredCheckpoint[]): Promise<boolean> {
    const deadline = Date.now() + (this.options.switchWaitMs ?? 10000);
    for (;;) {
      const built = await buildStore.all(this.pool);
      if (live.every((l) => checkpointOf(built, l) >= l.nextOffset)) return true;
      if (Date.now() > deadline) return false;
      await sleep(50);
    }
  }

  private async takeOverCheckpoints(client: PoolClient, target: ProjectionTarget, built: StoredCheckpoint[]): Promise<void> {
    await client.query('DELETE FROM public.projection_checkpoints WHERE projection = $1', [READ_MODELS_PROJECTION]);
    await client.query(
      `INSERT INTO public.projection_checkpoints (projection, topic, partition, next_offset)
       SELECT $1, topic, partition, next_offset FROM unnest($2::text[], $3::int[], $4::bigint[]) AS c(topic, partition, next_offset)`,
      [target.projection, built.map((b) => b.topic), built.map((b) => b.partition), built.map((b) => b.nextOffset.toString())],
    );
    // The read models were replaced wholesale: waiting readers re-check, credential caches forget.
    await client.query(
      `SELECT pg_notify($1, ${CHECKPOINT_PAYLOAD_SQL('c')}) FROM public.projection_checkpoints c WHERE c.projection = $2`,
      [READ_MODEL_CHANNELS.checkpoint, READ_MODELS_PROJECTION],
    );
    await client.query('SELECT pg_notify($1, $2)', [READ_MODEL_CHANNELS.credentials, EVERY_TENANT]);
  }

  private report(phase: RebuildProgress['phase'], applied: number, total: number, started: number): void {
    this.options.onProgress?.(progressOf(phase, applied, total, Date.now() - started));
  }
}

const checkpointOf = (stored: readonly StoredCheckpoint[], of: { topic: string; partition: number }): bigint =>
  stored.find((s) => s.topic === of.topic && s.partition === of.partition)?.nextOffset ?? 0n;

function totalEvents(offsets: Map<string, TopicOffsets[]>): number {
  let total = 0;
  for (const partitions of offsets.values()) for (const p of partitions) total += p.high - p.low;
  return total;
}

function appliedOf(stored: readonly StoredCheckpoint[], startOffsets: Map<string, TopicOffsets[]>): number {
  let applied = 0;
  for (const [topic, partitions] of startOffsets) {
    for (const p of partitions) {
      const at = Number(checkpointOf(stored, { topic, partition: p.partition }));
      applied += Math.max(0, Math.min(at, p.high) - p.low);
    }
  }
  return applied;
}

function reached(stored: readonly StoredCheckpoint[], startOffsets: Map<string, TopicOffsets[]>): boolean {
  for (const [topic, partitions] of startOffsets) {
    for (const p of partitions) {
      if (p.high > p.low && Number(checkpointOf(stored, { topic, partition: p.partition })) < p.high) return false;
    }
  }
  return true;
}
