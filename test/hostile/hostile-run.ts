import type { TopicNames } from '@vinsight/kafka';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { deleteTestTopics } from '../projections/support/projector-harness';
import { deleteTenants } from '../read-api/read-api.fixtures';

/** Removes what one run of the hostile suites left: its tenants' rows, reservations, parked events, checkpoints, snapshot and topics. */
export async function cleanUpRun(pool: Pool | undefined, kafka: Kafka | undefined, topics: TopicNames, prefix: string, tenants: string[]) {
  if (pool) {
    await deleteTenants(pool, tenants);
    await pool.query('DELETE FROM tenant_slug_reservations WHERE tenant_id = ANY($1::uuid[])', [tenants]);
    await pool.query('DELETE FROM projector.parked_events WHERE topic LIKE $1', [`${prefix}%`]);
    await pool.query('DELETE FROM projection_checkpoints WHERE topic LIKE $1', [`${prefix}%`]);
    await pool.query('DELETE FROM processor_snapshots WHERE stream = $1', [topics.commands]);
    await pool.end();
  }
  if (kafka) await deleteTestTopics(kafka, topics);
}
