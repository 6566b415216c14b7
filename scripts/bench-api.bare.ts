/**
 * The ceiling of `npm run bench:api`: bare Fastify and pg, no Nest, no validation, no auth
 * cache, answering GET /v1/monitors/:id with the same single-round-trip tenant transaction
 * (read only, app.current_tenant_id set locally, explicit tenant filter) and the same JSON.
 * The tenant comes from the benchmark's token by the same derivation the data set uses.
 */
import Fastify from 'fastify';
import { Pool } from 'pg';
import { tenantIdOf } from './bench-api.data';

interface MonitorRow {
  id: string;
  name: string;
  url: string;
  check_interval: number;
  is_active: boolean;
  status: string;
  last_checked_at: Date | null;
  last_response_time_ms: number | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const port = Number(process.argv[2]);
const pool = new Pool({ connectionString: process.argv[3], max: Number(process.argv[4] ?? 10) });
const app = Fastify();

app.get<{ Params: { id: string } }>('/v1/monitors/:id', async (request, reply) => {
  const match = /^Bearer bench-token-(\d+)$/.exec(request.headers.authorization ?? '');
  if (!match) return reply.code(401).send({ status: 401 });
  const tenantId = tenantIdOf(Number(match[1]));
  const id = request.params.id;
  if (!UUID.test(id)) return reply.code(404).send({ status: 404 });
  const results = (await pool.query(
    `SET TRANSACTION READ ONLY; SELECT set_config('app.current_tenant_id', '${tenantId}', true);
     SELECT id, name, url, check_interval, is_active, status, last_checked_at, last_response_time_ms, version, created_at, updated_at
       FROM monitors WHERE tenant_id = '${tenantId}'::uuid AND id = '${id}'::uuid AND deleted_at IS NULL`,
  )) as unknown as { rows: Record<string, unknown>[] }[];
  const row = results[2].rows[0] as unknown as MonitorRow | undefined;
  if (!row) return reply.code(404).send({ status: 404 });
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    checkInterval: row.check_interval,
    isActive: row.is_active,
    status: row.status,
    lastCheckedAt: row.last_checked_at?.toISOString() ?? null,
    lastResponseTimeMs: row.last_response_time_ms,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
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
