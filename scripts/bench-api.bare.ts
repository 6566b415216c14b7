/**
 * The ceiling of `npm run bench:api`: bare Fastify and pg, no Nest, no validation, no auth
 * cache, answering GET /v1/monitors/:id with the read API's own statement (monitors.statements.ts:
 * the monitor and the tenant's maintenance windows in force), PREPAREd once per connection and
 * executed in the same single-round-trip tenant transaction (read only, app.current_tenant_id
 * set locally), its times parsed the same way (iso-timestamps.ts), and the same JSON. The
 * database does the same work for both; what the ratio measures is the HTTP path around it. The
 * tenant comes from the benchmark's token by the same derivation the data set uses.
 */
import Fastify from 'fastify';
import { Pool, PoolClient, QueryResult } from 'pg';
import { tenantScope } from '../libs/database/src/tenant-context';
import { ISO_TIMESTAMP_TYPES } from '../libs/read-api/src/database/iso-timestamps';
import { MonitorRow, monitorByIdStatement } from '../libs/read-api/src/features/monitors/monitors.statements';
import { tenantIdOf } from './bench-api.data';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const port = Number(process.argv[2]);
const pool = new Pool({ connectionString: process.argv[3], max: Number(process.argv[4] ?? 10) });
const app = Fastify();
const prepared = new WeakSet<PoolClient>();

app.get<{ Params: { id: string } }>('/v1/monitors/:id', async (request, reply) => {
  const match = /^Bearer bench-token-(\d+)$/.exec(request.headers.authorization ?? '');
  if (!match) return reply.code(401).send({ status: 401 });
  const tenantId = tenantIdOf(Number(match[1]));
  const id = request.params.id;
  if (!UUID.test(id)) return reply.code(404).send({ status: 404 });
  const { statement, literals } = monitorByIdStatement(tenantId, id, new Date());
  const client = await pool.connect();
  let results: QueryResult<MonitorRow>[];
  try {
    if (!prepared.has(client)) {
      await client.query(`PREPARE ${statement.name}(${statement.types.join(', ')}) AS ${statement.text}`);
      prepared.add(client);
    }
    results = (await client.query({
      text: `${tenantScope(tenantId)}; EXECUTE ${statement.name}(${literals.join(', ')})`,
      types: ISO_TIMESTAMP_TYPES,
    })) as unknown as QueryResult<MonitorRow>[];
  } finally {
    client.release();
  }
  const row = results[1].rows[0];
  if (!row) return reply.code(404).send({ status: 404 });
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    checkInterval: row.checkInterval,
    isActive: row.isActive,
    status: row.status,
    lastCheckedAt: row.lastCheckedAt,
    lastResponseTimeMs: row.lastResponseTimeMs,
    // The benchmark's data set schedules no maintenance: the windows are read, never in force.
    inMaintenance: row.maintenanceWindows !== null,
    maintenanceWindowId: null,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
});

app.listen({ port, host: '127.0.0.1' }).then(
  () => process.stdout.write(`bare listening on ${port}\n`),
  (error: Error) => {
    process.stderr.write(`bare server failed: ${error.message}\n`);
    process.exit(1);
  },
);
process.once(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);
