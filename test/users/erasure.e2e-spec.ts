import { randomBytes, randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { Kafka, logLevel } from 'kafkajs';
import { Client, Pool } from 'pg';
import request from 'supertest';
import { PartitionStateLoader, SnapshotStore } from '@vinsight/command-processing';
import { CommandClient, createKafkaClient, TopicNames, topicNames } from '@vinsight/kafka';
import { emailHasher, PersonalDataVault } from '@vinsight/personal-data';
import { ProjectionRebuild } from '@vinsight/projections';
import { systemClock } from '@vinsight/runtime';
import { testKeyEncryptionKeyText, testPersonalDataKeys } from '../../libs/personal-data/src/testing/test-keys';
import { command } from '../commands/commands';
import { freePort, roleEnvironment, ServiceProcess } from '../e2e/service-process';
import { deleteTestTopics, quietLogger } from '../projections/support/projector-harness';
import { createScratchDatabase, ScratchDatabase, withDatabase } from '../projections/support/scratch-database';
import { KafkaTenantScenario } from '../read-api/kafka-tenant.scenario';
import { bearer } from '../read-api/read-api.fixtures';
import { testEnv } from '../test-env';

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** A bcrypt-shaped hash no other user has: what the grep looks for must be this user's alone. */
const uniqueBcryptHash = () => `$2b$10$${[...randomBytes(53)].map((b) => BCRYPT_ALPHABET[b % 64]).join('')}`;

interface Person {
  readonly id: string;
  readonly email: string;
  readonly passwordHash: string;
}

/**
 * Erasure of a user's personal data (crypto-shredding) on the built roles, with real Kafka and a
 * real Postgres primary and replica: after EraseUser and a rebuild of every projection and of the
 * write state, the user's email and password hash are nowhere, in no topic but `commands` (short
 * retention) and in no table of either server, while the other users are intact.
 */
describe('erasure of personal data', () => {
  const run = randomUUID().slice(0, 8);
  const prefix = `e2e.erase.${run}.`;
  const topics: TopicNames = topicNames(prefix);
  const person = (name: string): Person => ({
    id: randomUUID(),
    email: `${name}.${run}@Erasure.Example.com`,
    passwordHash: uniqueBcryptHash(),
  });
  const ada = person('Ada');
  const bob = person('Bob');
  const carol = person('Carol');
  const dave = person('Dave');
  const kek1 = testKeyEncryptionKeyText('test-kek-1');
  const kek2 = testKeyEncryptionKeyText(`kek-2-${run}`);
  let db: ScratchDatabase;
  let pool: Pool;
  let kafka: Kafka;
  let client: CommandClient;
  let t: KafkaTenantScenario;
  let processor: ServiceProcess;
  let projector: ServiceProcess;
  let api: ServiceProcess;

  const environment = (keys: Record<string, string> = {}) =>
    roleEnvironment({
      DATABASE_URL: db.ownerUrl,
      PROJECTOR_DATABASE_URL: db.projectorUrl,
      API_DATABASE_URL: db.apiUrl,
      REPLICA_DATABASE_URL: withDatabase(testEnv.replicaUrl, db.name),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_CLIENT_ID: `e2e-erase-${run}`,
      KAFKA_PARTITIONS: '2',
      MIGRATE_ON_START: 'false',
      READ_API_RATE_LIMIT_PER_SECOND: '0',
      ...keys,
    });
  const start = async (role: 'command-processor' | 'projector', keys: Record<string, string> = {}) => {
    const service = ServiceProcess.start(role, environment(keys), await freePort());
    await service.waitFor('/health/startup', 90000);
    return service;
  };

  const register = (p: Person, role = 'user') =>
    client.execute(command('RegisterUser', t.tenantId, { userId: p.id, email: p.email, passwordHash: p.passwordHash, role }));
  const userRow = async (id: string) =>
    (
      await pool.query<{ email: string; password_hash: string; role: string; deleted_at: Date | null; version: number }>(
        'SELECT email, password_hash, role, deleted_at, version FROM users WHERE tenant_id = $1 AND id = $2',
        [t.tenantId, id],
      )
    ).rows[0];
  const eventually = async <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const rebuild = (keys = testEnv.personalDataKeys) =>
    new ProjectionRebuild(pool, kafka, {
      groupPrefix: `e2e-erase-${run}`,
      topics: [topics.events, topics.checkEvents],
      clock: systemClock,
      logger: quietLogger,
      personalData: keys,
    }).run();

  beforeAll(async () => {
    db = await createScratchDatabase('erasure');
    pool = db.projectorPool(4);
    kafka = createKafkaClient({ ...testEnv.kafka, clientId: `e2e-erase-${run}` }, { logLevel: logLevel.NOTHING });
    processor = await start('command-processor');
    projector = await start('projector');
    api = ServiceProcess.start('read-api', environment(), await freePort());
    await api.waitFor('/health/live');
    client = await CommandClient.connect(kafka, topics);
    t = new KafkaTenantScenario(client, new Date());
    await t.create('pro');
    for (const [p, role] of [
      [ada, 'admin'],
      [bob, 'owner'],
      [carol, 'user'],
    ] as const) {
      expect(await register(p, role)).toMatchObject({ status: 'accepted' });
    }
    // Their activity: logins, a role change, a monitor with checks.
    for (const p of [ada, bob, carol])
      await t.accept(command('RecordUserLogin', t.tenantId, { userId: p.id, at: new Date().toISOString() }));
    await t.accept(command('ChangeUserRole', t.tenantId, { userId: ada.id, role: 'user' }));
    const monitor = await t.createMonitor('Home');
    await t.check(monitor, 'up', 2, 40);
    await eventually(
      () => userRow(carol.id),
      (row) => row?.version === 2,
      'carol projected',
    );
  }, 180000);

  afterAll(async () => {
    await client?.disconnect();
    await Promise.all([api?.stop(), projector?.stop(), processor?.stop()]);
    if (kafka) await deleteTestTopics(kafka, topics);
    await db?.drop();
  });

  it('writes the personal fields sealed: the events topic has neither the email nor the password hash, the commands topic has both', async () => {
    const events = await topicBytes(kafka, topics.events);
    expect(events.length).toBeGreaterThan(0);
    for (const p of [ada, bob]) expect(containsAny(events, secretsOf(p))).toEqual([]);
    // The grep finds what is there: the commands carry the fields in the clear.
    expect(containsAny(await topicBytes(kafka, topics.commands), secretsOf(ada))).toEqual(secretsOf(ada));
    // And the projector opened them.
    expect(await userRow(ada.id)).toMatchObject({ email: ada.email, password_hash: ada.passwordHash, deleted_at: null });
  });

  it('erases a user: [erased] in the read model, gone from the read API; a second EraseUser changes nothing; an unknown user is NOT_FOUND', async () => {
    const erased = await client.execute(command('EraseUser', t.tenantId, { userId: ada.id }));
    expect(erased).toMatchObject({ status: 'accepted', aggregateId: ada.id, version: 4 });
    const again = await client.execute(command('EraseUser', t.tenantId, { userId: ada.id }));
    expect(again).toMatchObject({ status: 'accepted', aggregateId: ada.id, version: 4, duplicate: false });
    const unknown = await client.execute(command('EraseUser', t.tenantId, { userId: randomUUID() }));
    expect(unknown).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' } });

    const row = await eventually(
      () => userRow(ada.id),
      (r) => r.email === '[erased]',
      'ada erased in the read model',
    );
    expect(row).toMatchObject({ email: '[erased]', password_hash: '[erased]', role: 'user', version: 4 });
    expect(row.deleted_at).not.toBeNull();
    const key = await pool.query('SELECT 1 FROM user_data_keys WHERE tenant_id = $1 AND user_id = $2', [t.tenantId, ada.id]);
    expect(key.rowCount).toBe(0);

    const get = (path: string) => request(api.url('')).get(path).set(bearer(t.token)).set('x-consistency-token', String(again.position));
    await get(`/v1/users/${ada.id}`).expect(404);
    const listed = (await get('/v1/users').expect(200)).body.data as { id: string; email: string }[];
    expect(listed.map((u) => u.email).sort()).toEqual([bob.email, carol.email].sort());
    // One UserErased event, however often it was asked for.
    const events = await topicBytes(kafka, topics.events);
    expect(events.filter((bytes) => bytes.includes('"type":"UserErased"'))).toHaveLength(1);
  });

  it('still enforces email uniqueness, on the hash: another user with a live email is ALREADY_EXISTS', async () => {
    const clash = await client.execute(
      command('RegisterUser', t.tenantId, {
        userId: randomUUID(),
        email: ` ${bob.email.toUpperCase()} `,
        passwordHash: uniqueBcryptHash(),
      }),
    );
    expect(clash).toMatchObject({ status: 'rejected', error: { code: 'ALREADY_EXISTS', details: [{ field: 'payload.email' }] } });
    expect(JSON.stringify(clash)).not.toContain(bob.email.toLowerCase());
  });

  it('rebuilds every projection and the write state from scratch without getting the erased data back', async () => {
    const report = await rebuild();
    expect(report.events).toBeGreaterThan(10);
    expect(await userRow(ada.id)).toMatchObject({ email: '[erased]', password_hash: '[erased]' });
    expect(await userRow(bob.id)).toMatchObject({ email: bob.email, password_hash: bob.passwordHash, role: 'owner', deleted_at: null });
    expect(await userRow(carol.id)).toMatchObject({ email: carol.email, password_hash: carol.passwordHash, deleted_at: null });

    // The write state, rebuilt from the log by a new processor and read back in process.
    await processor.stop();
    processor = await start('command-processor');
    expect(await client.execute(command('ChangeUserRole', t.tenantId, { userId: ada.id, role: 'admin' }))).toMatchObject({
      status: 'rejected',
      error: { code: 'NOT_FOUND' },
    });
    expect(await client.execute(command('EraseUser', t.tenantId, { userId: ada.id }))).toMatchObject({ status: 'accepted', version: 4 });
    expect(await register({ ...person('Bob2'), email: bob.email })).toMatchObject({
      status: 'rejected',
      error: { code: 'ALREADY_EXISTS' },
    });
    const hashOf = emailHasher(testEnv.personalDataKeys.emailHashKey);
    const states = await new PartitionStateLoader(kafka, topics, new SnapshotStore(pool), { emailHashOf: hashOf }).load([0, 1]);
    const state = [...states.values()].map((s) => s.tenants.get(t.tenantId)).find((s) => s !== undefined)!;
    expect(state.users.get(ada.id)).toMatchObject({ lifecycle: 'erased', emailHash: null });
    expect(state.users.get(bob.id)).toMatchObject({ lifecycle: 'active', emailHash: hashOf(bob.email) });
    const written = JSON.stringify([...state.users.values()]);
    expect(containsAny([written], [...secretsOf(ada), hashOf(ada.email)])).toEqual([]);
  });

  it('leaves the email and the password hash in no topic but commands, and in no table of the primary or the replica', async () => {
    const secrets = secretsOf(ada);
    for (const topic of [topics.events, topics.checkEvents, topics.commandResults, topics.commandsDlq]) {
      expect({ topic, found: containsAny(await topicBytes(kafka, topic), secrets) }).toEqual({ topic, found: [] });
    }
    // In Postgres not even the email's keyed hash: the audit rows and the read models never keep it.
    const inTables = [...secrets, emailHasher(testEnv.personalDataKeys.emailHashKey)(ada.email)];
    const primary = withDatabase(testEnv.superuserUrl, db.name);
    const replicaUrl = new URL(primary);
    replicaUrl.port = new URL(testEnv.replicaUrl).port;
    const primaryLsn = await query<{ lsn: string }>(primary, 'SELECT pg_current_wal_lsn()::text AS lsn');
    await eventually(
      () =>
        query<{ caught_up: boolean }>(replicaUrl.toString(), 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught_up', [
          primaryLsn[0].lsn,
        ]),
      (rows) => rows[0].caught_up,
      'the replica replaying the primary',
    );
    for (const url of [primary, replicaUrl.toString()]) {
      const found = await tablesContaining(url, inTables);
      expect({ server: new URL(url).port, found }).toEqual({ server: new URL(url).port, found: [] });
    }
    // The grep of the tables finds what is there: Bob's email, on both servers.
    expect((await tablesContaining(replicaUrl.toString(), [bob.email])).map((hit) => hit.table)).toContain('public.users');
  });

  it('after a KEK rotation and a restart, reads users of the old KEK, erases them, and rewraps their keys under the new one', async () => {
    const rotated = { DATA_KEY_ENCRYPTION_KEY: kek2, DATA_KEY_ENCRYPTION_KEYS_PREVIOUS: kek1 };
    const newKek = kek2.split(':')[0];
    await Promise.all([processor.stop(), projector.stop()]);
    processor = await start('command-processor', rotated);
    projector = await start('projector', rotated);
    expect(await register(dave)).toMatchObject({ status: 'accepted' });
    await eventually(
      () => userRow(dave.id),
      (row) => row?.email === dave.email,
      'dave projected under the new KEK',
    );
    const kekOf = async (p: Person) =>
      (await pool.query<{ kek_id: string }>('SELECT kek_id FROM user_data_keys WHERE tenant_id = $1 AND user_id = $2', [t.tenantId, p.id]))
        .rows[0]?.kek_id;
    expect([await kekOf(bob), await kekOf(carol), await kekOf(dave)]).toEqual(['test-kek-1', 'test-kek-1', newKek]);

    const rotatedKeys = testPersonalDataKeys(newKek, ['test-kek-1']);
    // The new KEK's keys stand in for the test's: test-kek-1's is derived from its id, kek-2's the same way.
    await rebuild(rotatedKeys);
    expect(await userRow(bob.id)).toMatchObject({ email: bob.email, password_hash: bob.passwordHash });
    expect(await userRow(dave.id)).toMatchObject({ email: dave.email });

    expect(await client.execute(command('EraseUser', t.tenantId, { userId: carol.id }))).toMatchObject({ status: 'accepted' });
    await eventually(
      () => userRow(carol.id),
      (row) => row.email === '[erased]',
      'carol erased under the rotated KEK',
    );
    expect(await kekOf(carol)).toBeUndefined();

    const rewrapped = await new PersonalDataVault(pool, rotatedKeys).rewrapAll();
    expect(rewrapped).toBe(1);
    expect([await kekOf(bob), await kekOf(dave)]).toEqual([newKek, newKek]);
    // Without the old KEK at all, everything still opens.
    await projector.stop();
    projector = await start('projector', { DATA_KEY_ENCRYPTION_KEY: kek2 });
    await rebuild(testPersonalDataKeys(newKek));
    expect(await userRow(bob.id)).toMatchObject({ email: bob.email, password_hash: bob.passwordHash });
    expect(await userRow(carol.id)).toMatchObject({ email: '[erased]', password_hash: '[erased]' });
    expect(await userRow(ada.id)).toMatchObject({ email: '[erased]', password_hash: '[erased]' });
  });
});

/** What must never come back: the email (in any case) and the bcrypt hash. */
const secretsOf = (p: Person): string[] => [p.email.toLowerCase(), p.passwordHash];

/** The needles found in any of the haystacks (emails compared lower-cased). */
function containsAny(haystacks: readonly string[], needles: readonly string[]): string[] {
  return needles.filter((needle) => haystacks.some((text) => text.toLowerCase().includes(needle.toLowerCase())));
}

/**
 * Every record of a topic, committed or not (aborted transactions are bytes in the log too), as
 * text: key, value and header values.
 */
async function topicBytes(kafka: Kafka, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const pending = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high) - 1n]));
  const texts: string[] = [];
  if (pending.size === 0) return texts;
  const consumer = kafka.consumer({ groupId: `e2e-erase-grep-${randomUUID()}`, readUncommitted: true, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} did not finish`)), 60000);
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const last = pending.get(payload.partition);
        if (last !== undefined && BigInt(payload.lastOffset) >= last) pending.delete(payload.partition);
        if (pending.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
      void consumer
        .run({
          eachMessage: async ({ message }) => {
            const headers = Object.values(message.headers ?? {}).map((value) => String(value));
            texts.push([message.key?.toString('utf8') ?? '', message.value?.toString('utf8') ?? '', ...headers].join('\n'));
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return texts;
}

async function query<T extends object>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Every table of every schema of the database (read models, build schemas, parked events, key
 * store, snapshots, reservations), each row as text, bytea columns also decoded (and gunzipped
 * when gzip): the tables in which one of the needles appears.
 */
async function tablesContaining(url: string, needles: readonly string[]): Promise<{ table: string; needle: string }[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const hits: { table: string; needle: string }[] = [];
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1`,
    );
    for (const { name } of tables) {
      const { rows } = await client.query<Record<string, unknown>>(`SELECT t::text AS "__row", t.* FROM ${name} t`);
      const texts: string[] = [];
      for (const row of rows) {
        texts.push(String(row.__row));
        for (const value of Object.values(row)) {
          if (!Buffer.isBuffer(value)) continue;
          texts.push(value.toString('utf8'));
          if (value[0] === 0x1f && value[1] === 0x8b) texts.push(gunzipSync(value).toString('utf8'));
        }
      }
      for (const needle of containsAny(texts, needles)) hits.push({ table: name.replace(/"/g, ''), needle });
    }
  } finally {
    await client.end();
  }
  return hits;
}
