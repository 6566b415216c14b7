import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * A Postgres 15 primary and its streaming replica of our own (Debian clusters `healthtest` and
 * `healthtest_replica` on 5440/5441), so fault tests can stop and pause them without touching
 * the shared clusters on 5432/5433. Everything here is idempotent and keyed by those names.
 */
export const PG_VERSION = '15';
export const PRIMARY = { cluster: 'healthtest', port: 5440 };
export const REPLICA = { cluster: 'healthtest_replica', port: 5441 };
export const DATABASE = 'healthtest';
/** A plain login role: readiness must work without superuser or pg_monitor. */
export const READER_ROLE = 'health_reader';
const SLOT = 'healthtest_replica';
const BIN = `/usr/lib/postgresql/${PG_VERSION}/bin`;

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function asPostgres(command: string, args: string[]): string {
  return process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args);
}

export function clusterStatus(cluster: string): 'online' | 'down' | 'missing' {
  const line = run('pg_lsclusters', ['--no-header'])
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[0] === PG_VERSION && f[1] === cluster);
  if (!line) return 'missing';
  return line[3].startsWith('online') ? 'online' : 'down';
}

export function dropClusters(): void {
  for (const { cluster } of [REPLICA, PRIMARY]) {
    if (clusterStatus(cluster) !== 'missing') run('pg_dropcluster', ['--stop', PG_VERSION, cluster]);
    // pg_dropcluster leaves our conf.d file, which would make the next pg_createcluster refuse.
    run('rm', ['-rf', `/etc/postgresql/${PG_VERSION}/${cluster}`]);
  }
}

function writeLocalConfig(cluster: string, port: number, extra: string[] = []): void {
  const confDir = `/etc/postgresql/${PG_VERSION}/${cluster}`;
  writeFileSync(
    `${confDir}/pg_hba.conf`,
    ['local all all trust', 'host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust', ''].join('\n'),
  );
  mkdirSync(`${confDir}/conf.d`, { recursive: true });
  writeFileSync(
    `${confDir}/conf.d/50-healthtest.conf`,
    [`listen_addresses = '127.0.0.1'`, `port = ${port}`, 'fsync = off', 'shared_buffers = 32MB', ...extra, ''].join('\n'),
  );
  run('chown', ['-R', 'postgres:postgres', confDir]);
}

export function superuserUrl(port: number, database = 'postgres'): string {
  return `postgres://postgres@127.0.0.1:${port}/${database}`;
}

export function readerUrl(port: number): string {
  return `postgres://${READER_ROLE}@127.0.0.1:${port}/${DATABASE}`;
}

async function sql<R extends Record<string, unknown>>(port: number, statement: string, database = 'postgres'): Promise<R[]> {
  const client = new Client({ connectionString: superuserUrl(port, database) });
  await client.connect();
  try {
    return (await client.query<R>(statement)).rows;
  } finally {
    await client.end();
  }
}

export function startCluster(cluster: string): void {
  if (clusterStatus(cluster) !== 'online') run('pg_ctlcluster', ['--skip-systemctl-redirect', PG_VERSION, cluster, 'start']);
}

/** Fast shutdown: what an outage looks like to clients (connections refused from then on). */
export function stopCluster(cluster: string): void {
  if (clusterStatus(cluster) === 'online') run('pg_ctlcluster', ['--skip-systemctl-redirect', PG_VERSION, cluster, 'stop', '-m', 'fast']);
}

/** Creates (anew) and starts the primary and a replica streaming from it through a slot. */
export async function createClusters(): Promise<void> {
  dropClusters();
  run('pg_createcluster', ['--start-conf', 'manual', '-p', String(PRIMARY.port), PG_VERSION, PRIMARY.cluster]);
  // No autovacuum: its ANALYZE commits a transaction, and the idle-primary scenario needs a
  // primary that commits nothing for a minute.
  writeLocalConfig(PRIMARY.cluster, PRIMARY.port, [
    'wal_level = replica',
    'max_wal_senders = 4',
    'max_replication_slots = 4',
    'autovacuum = off',
  ]);
  startCluster(PRIMARY.cluster);
  await sql(PRIMARY.port, `CREATE ROLE ${READER_ROLE} LOGIN`);
  await sql(PRIMARY.port, `CREATE DATABASE ${DATABASE}`);
  await sql(PRIMARY.port, `CREATE TABLE ticks (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())`, DATABASE);
  await sql(PRIMARY.port, `SELECT pg_create_physical_replication_slot('${SLOT}')`);

  run('pg_createcluster', ['--start-conf', 'manual', '-p', String(REPLICA.port), PG_VERSION, REPLICA.cluster]);
  const dataDir = `/var/lib/postgresql/${PG_VERSION}/${REPLICA.cluster}`;
  run('find', [dataDir, '-mindepth', '1', '-delete']);
  asPostgres(`${BIN}/pg_basebackup`, [
    '-h',
    '127.0.0.1',
    '-p',
    String(PRIMARY.port),
    '-U',
    'postgres',
    '-D',
    dataDir,
    '-R',
    '-X',
    'stream',
    '-S',
    SLOT,
    '-c',
    'fast',
  ]);
  writeLocalConfig(REPLICA.cluster, REPLICA.port, ['hot_standby = on', 'wal_retrieve_retry_interval = 1s']);
  startCluster(REPLICA.cluster);
}

/** Superuser statement on the primary or replica (pause/resume replay, writes). */
export async function superuserSql(port: number, statement: string, database = DATABASE): Promise<void> {
  await sql(port, statement, database);
}

/** Superuser query on the primary or replica, returning its rows. */
export function superuserQuery<R extends Record<string, unknown>>(port: number, statement: string, database = DATABASE): Promise<R[]> {
  return sql<R>(port, statement, database);
}

/** Stops and removes one cluster of ours, with the config directory pg_dropcluster leaves behind. */
export function dropCluster(cluster: string): void {
  if (clusterStatus(cluster) !== 'missing') run('pg_dropcluster', ['--stop', PG_VERSION, cluster]);
  run('rm', ['-rf', `/etc/postgresql/${PG_VERSION}/${cluster}`]);
}

/**
 * A primary of our own prepared exactly as the local stack prepares 5432: `deploy/local/postgres/setup.sh`
 * creates the service's three roles and `database` owned by the migration role, so the service
 * can migrate and run on it. Created anew; started.
 */
export function createServiceCluster(cluster: string, port: number, database: string): void {
  dropCluster(cluster);
  run('pg_createcluster', ['--start-conf', 'manual', '-p', String(port), PG_VERSION, cluster]);
  writeLocalConfig(cluster, port);
  startCluster(cluster);
  execFileSync('bash', [join(__dirname, '..', '..', '..', 'deploy', 'local', 'postgres', 'setup.sh')], {
    env: { ...process.env, PRIMARY_CLUSTER: cluster, PRIMARY_PORT: String(port), DATABASES: database },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Connection string of one of the service's roles on a cluster made by createServiceCluster. */
export function roleUrl(role: 'vinsight_owner' | 'vinsight_projector' | 'vinsight_api', port: number, database: string): string {
  return `postgres://${role}@127.0.0.1:${port}/${database}`;
}
