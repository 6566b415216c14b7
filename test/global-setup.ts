import { Migrator, migrationsDirectory } from '../libs/database/src/migrator';
import { testEnv } from './test-env';

/** Integration and e2e tiers share one migrated test database, migrated once per run. */
export default async function globalSetup(): Promise<void> {
  await new Migrator(testEnv.ownerUrl, migrationsDirectory()).up();
}
