/**
 * The cost of crypto-shredding (README, "Personal data"), printed as one JSON line:
 * - emailHmacMicrosCpu: the keyed email hash the processor computes per RegisterUser;
 * - registerUserSealMicrosCpu: data key creation, wrapping and sealing per RegisterUser, CPU only;
 * - registerUserKeyStoreMicrosWall: the same with the key store, one INSERT per slice of 500;
 * - projectorUserEventsOpenedPerSecond: what the users read model opens per second (one SELECT
 *   of the keys per batch of 1000 registrations, unwrapping, opening).
 *
 *   npm run bench:shred   (PROJECTOR_DATABASE_URL: a migrated database, vinsight_test by default)
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { emailHasher, newAesKey, newIv, PersonalDataVault, sealPersonalData, UserRef, userRefKey } from '@vinsight/personal-data';
import { testPersonalDataKeys } from '../libs/personal-data/src/testing/test-keys';

const USERS = Number(process.env.BENCH_USERS ?? 20_000);
const SLICE = 500;
const BATCH = 1000;
const DATABASE_URL = process.env.PROJECTOR_DATABASE_URL ?? 'postgres://vinsight_projector@127.0.0.1:5432/vinsight_test';
const BCRYPT = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';

const cpuMicros = (run: () => void): number => {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return used.user + used.system;
};
const round = (value: number) => Math.round(value * 100) / 100;

async function main(): Promise<void> {
  const keys = testPersonalDataKeys();
  const tenantId = randomUUID();
  const owners: UserRef[] = Array.from({ length: USERS }, () => ({ tenantId, userId: randomUUID() }));
  const emails = owners.map((owner) => `user-${owner.userId.slice(0, 8)}@bench.example.com`);

  const hashOf = emailHasher(keys.emailHashKey);
  for (const email of emails.slice(0, 1000)) hashOf(email);
  const hmac = cpuMicros(() => emails.forEach((email) => hashOf(email))) / USERS;

  const seal = (owner: UserRef, index: number, dataKey: Buffer) =>
    JSON.stringify(sealPersonalData(owner, dataKey, { email: emails[index], passwordHash: BCRYPT }, newIv()));
  const sealOnly =
    cpuMicros(() =>
      owners.forEach((owner, index) => {
        const dataKey = newAesKey();
        keys.keyRing.wrap(owner, dataKey);
        seal(owner, index, dataKey);
      }),
    ) / USERS;

  const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
  const vault = new PersonalDataVault(pool, keys);
  const sealed: string[] = [];
  try {
    const started = performance.now();
    for (let from = 0; from < USERS; from += SLICE) {
      const slice = owners.slice(from, from + SLICE);
      const dataKeys = await vault.dataKeysFor(slice);
      slice.forEach((owner, i) => sealed.push(seal(owner, from + i, dataKeys.get(userRefKey(owner))!)));
    }
    const withStore = ((performance.now() - started) * 1000) / USERS;

    const openStarted = performance.now();
    const client = await pool.connect();
    try {
      for (let from = 0; from < USERS; from += BATCH) {
        const batch = owners.slice(from, from + BATCH);
        const dataKeys = await vault.existingDataKeys(batch, client);
        batch.forEach((owner, i) => vault.open(owner, dataKeys.get(userRefKey(owner))!, JSON.parse(sealed[from + i]) as never));
      }
    } finally {
      client.release();
    }
    const opened = USERS / ((performance.now() - openStarted) / 1000);

    process.stdout.write(
      `${JSON.stringify({
        users: USERS,
        emailHmacMicrosCpu: round(hmac),
        registerUserSealMicrosCpu: round(sealOnly),
        registerUserKeyStoreMicrosWall: round(withStore),
        projectorUserEventsOpenedPerSecond: Math.round(opened),
      })}\n`,
    );
  } finally {
    await vault.destroy(owners);
    await pool.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
