import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { Pool } from 'pg';
import { CommandResult } from '@vinsight/contracts';
import { TenantWriteSnapshot } from '@vinsight/domain';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Bumped when the stored shape changes; older snapshots are ignored (the log is the truth). */
export const SNAPSHOT_FORMAT = 1;

export interface SnapshotOffsets {
  events: bigint;
  checkEvents: bigint;
  results: bigint;
}

export interface PartitionSnapshot {
  offsets: SnapshotOffsets;
  tenants: { tenantId: string; state: TenantWriteSnapshot }[];
  results: CommandResult[];
}

/** Snapshots of the processor's partitions in Postgres (table processor_snapshots). */
export class SnapshotStore {
  constructor(private readonly pool: Pool) {}

  async load(stream: string, partitions: number[]): Promise<Map<number, PartitionSnapshot>> {
    const { rows } = await this.pool.query<{
      partition: number;
      events_offset: string;
      check_events_offset: string;
      results_offset: string;
      state: Buffer;
    }>(
      `SELECT partition, events_offset, check_events_offset, results_offset, state
         FROM processor_snapshots WHERE stream = $1 AND partition = ANY($2::int[]) AND schema_version = $3`,
      [stream, partitions, SNAPSHOT_FORMAT],
    );
    const snapshots = new Map<number, PartitionSnapshot>();
    for (const row of rows) {
      const body = JSON.parse((await gunzipAsync(row.state)).toString('utf8')) as Omit<PartitionSnapshot, 'offsets'>;
      snapshots.set(row.partition, {
        offsets: { events: BigInt(row.events_offset), checkEvents: BigInt(row.check_events_offset), results: BigInt(row.results_offset) },
        tenants: body.tenants,
        results: body.results,
      });
    }
    return snapshots;
  }

  /**
   * Compression runs on libuv's thread pool, so the processor's event loop keeps deciding. The
   * snapshot is serialised before the first await and not referenced after it: its objects
   * (100,000 results rebuilt from their records) are garbage while the bytes are compressed and stored.
   */
  save(stream: string, partition: number, snapshot: PartitionSnapshot): Promise<number> {
    let body: Buffer;
    try {
      body = Buffer.from(JSON.stringify({ tenants: snapshot.tenants, results: snapshot.results }), 'utf8');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.store(stream, partition, snapshot.offsets, body);
  }

  private async store(stream: string, partition: number, offsets: SnapshotOffsets, body: Buffer): Promise<number> {
    const state = await gzipAsync(body);
    await this.pool.query(
      `INSERT INTO processor_snapshots (stream, partition, events_offset, check_events_offset, results_offset, state, schema_version, taken_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (stream, partition) DO UPDATE SET
         events_offset = EXCLUDED.events_offset, check_events_offset = EXCLUDED.check_events_offset,
         results_offset = EXCLUDED.results_offset, state = EXCLUDED.state,
         schema_version = EXCLUDED.schema_version, taken_at = EXCLUDED.taken_at
       -- never replace a newer snapshot with an older one (a fenced zombie finishing late)
       WHERE processor_snapshots.events_offset <= EXCLUDED.events_offset`,
      [stream, partition, offsets.events.toString(), offsets.checkEvents.toString(), offsets.results.toString(), state, SNAPSHOT_FORMAT],
    );
    return state.length;
  }
}
