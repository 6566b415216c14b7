import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@vinsight/config';
import { nextMigrationFileNames, readMigrationFiles } from './migration-files';
import { Migrator } from './migrator';
import { migrationsDirectory } from './migrations-directory';

const USAGE = `usage: migrate <command>
  up [N]          apply all pending migrations, or the next N
  down [N|all]    revert one migration (default), N, or all
  version         print the current version and dirty flag
  force V         set version V (-1 for none) and clear the dirty flag, running nothing
  create NAME     write the next pair of empty .up.sql/.down.sql files`;

function parseCount(arg: string | undefined): number | undefined {
  if (arg === undefined || arg === '') return undefined;
  if (!/^\d+$/.test(arg) || Number(arg) < 1) throw new Error(`expected a positive number of steps, got "${arg}"`);
  return Number(arg);
}

async function main(argv: string[]): Promise<void> {
  const [command, arg] = argv;
  const directory = migrationsDirectory();
  if (command === 'create') {
    if (!arg) throw new Error('create needs a name: make migrate-create name=add_something');
    const names = nextMigrationFileNames(readMigrationFiles(directory), arg);
    for (const file of [names.up, names.down]) writeFileSync(join(directory, file), '', { flag: 'wx' });
    process.stdout.write(`created migrations/${names.up}\ncreated migrations/${names.down}\n`);
    return;
  }
  const config = loadConfig(['migrate']);
  const migrator = new Migrator(config.database.ownerUrl!, directory, { info: (m) => process.stdout.write(m + '\n') });
  switch (command) {
    case 'up': {
      const applied = await migrator.up(parseCount(arg));
      if (applied.length === 0) process.stdout.write('no change\n');
      break;
    }
    case 'down': {
      const reverted = await migrator.down(arg === 'all' ? 'all' : (parseCount(arg) ?? 1));
      if (reverted.length === 0) process.stdout.write('no change\n');
      break;
    }
    case 'version': {
      const state = await migrator.state();
      process.stdout.write(state.version === null ? 'no migration applied\n' : `${state.version}${state.dirty ? ' (dirty)' : ''}\n`);
      break;
    }
    case 'force': {
      if (!arg || !/^-?\d+$/.test(arg)) throw new Error('force needs a version: make migrate-force version=N');
      const version = Number(arg);
      await migrator.force(version < 0 ? null : version);
      process.stdout.write(`forced version ${version < 0 ? 'none' : version}\n`);
      break;
    }
    default:
      process.stderr.write(USAGE + '\n');
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `migrate: ${(error as Error).message}`}\n`);
  process.exitCode = 1;
});
