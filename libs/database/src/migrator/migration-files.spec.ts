import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nextMigrationFileNames, readMigrationFiles } from './migration-files';

function dirWith(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'migration-files-'));
  for (const file of files) writeFileSync(join(dir, file), '');
  return dir;
}

describe('migration files', () => {
  it('pairs up and down files and sorts by version number', () => {
    const dir = dirWith(['000010_b.up.sql', '000010_b.down.sql', '000002_a.up.sql', '000002_a.down.sql', 'README.txt']);
    expect(readMigrationFiles(dir).map((f) => [f.version, f.name])).toEqual([
      [2, 'a'],
      [10, 'b'],
    ]);
  });

  it('refuses a migration without its down file', () => {
    expect(() => readMigrationFiles(dirWith(['000001_a.up.sql']))).toThrow(/000001|1_a needs both/);
  });

  it('names the next pair with a six-digit sequence', () => {
    const dir = dirWith(['000007_x.up.sql', '000007_x.down.sql']);
    expect(nextMigrationFileNames(readMigrationFiles(dir), 'add_index')).toEqual({
      up: '000008_add_index.up.sql',
      down: '000008_add_index.down.sql',
    });
    expect(() => nextMigrationFileNames([], 'Bad Name')).toThrow(/must match/);
  });
});
