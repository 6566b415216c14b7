import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MigrationFile {
  version: number;
  name: string;
  upPath: string;
  downPath: string;
}

/** golang-migrate's file name format: `{version}_{title}.{up|down}.sql`. */
const FILE_NAME = /^(\d+)_([A-Za-z0-9_-]+)\.(up|down)\.sql$/;

export function readMigrationFiles(directory: string): MigrationFile[] {
  const byVersion = new Map<number, Partial<MigrationFile> & { version: number }>();
  for (const file of readdirSync(directory)) {
    const match = FILE_NAME.exec(file);
    if (!match) continue;
    const version = Number(match[1]);
    const entry = byVersion.get(version) ?? { version, name: match[2] };
    if (entry.name !== match[2]) {
      throw new Error(`migration ${version} has two names: ${entry.name} and ${match[2]}`);
    }
    if (match[3] === 'up') entry.upPath = join(directory, file);
    else entry.downPath = join(directory, file);
    byVersion.set(version, entry);
  }
  const files = [...byVersion.values()].sort((a, b) => a.version - b.version);
  for (const file of files) {
    if (!file.upPath || !file.downPath) {
      throw new Error(`migration ${file.version}_${file.name} needs both an .up.sql and a .down.sql file`);
    }
  }
  return files as MigrationFile[];
}

export function readSql(path: string): string {
  return readFileSync(path, 'utf8');
}

export function nextMigrationFileNames(existing: MigrationFile[], name: string): { up: string; down: string } {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`migration name must match ^[a-z0-9_]+$, got "${name}"`);
  const version = (existing.at(-1)?.version ?? 0) + 1;
  const prefix = `${String(version).padStart(6, '0')}_${name}`;
  return { up: `${prefix}.up.sql`, down: `${prefix}.down.sql` };
}
