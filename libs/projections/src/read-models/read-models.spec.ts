import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TYPES } from '@vinsight/domain';
import { READ_MODELS } from './read-models';

const MIGRATIONS = join(__dirname, '..', '..', '..', '..', 'migrations');

/** Every table the migrations create. */
const TABLES = new Set(
  readdirSync(MIGRATIONS)
    .filter((file) => file.endsWith('.up.sql'))
    .flatMap((file) =>
      [...readFileSync(join(MIGRATIONS, file), 'utf8').matchAll(/CREATE TABLE (?:[a-z_]+\.)?([a-z_]+) \(/g)].map((m) => m[1]),
    ),
);

const WRITE = /\b(?:INSERT INTO|UPDATE|DELETE FROM|COPY)\s+(\$\{|[a-z_]+\b)/g;

/**
 * The tables the SQL of one folder writes (INSERT, UPDATE, DELETE, COPY), from its source text
 * without comments. A statement whose table is interpolated counts every table the file names in quotes.
 */
function tablesWrittenIn(folder: string): string[] {
  const written = new Set<string>();
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
    const source = readFileSync(join(folder, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    for (const [, table] of source.matchAll(WRITE)) {
      if (table !== '${') written.add(table);
      else for (const [, quoted] of source.matchAll(/'([a-z_]+)'/g)) written.add(quoted);
    }
  }
  return [...written].filter((table) => TABLES.has(table)).sort();
}

describe('the registered read models', () => {
  const folders = readdirSync(__dirname, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);

  it('are one per folder of read-models/, named after it', () => {
    expect(READ_MODELS.map((model) => model.name).sort()).toEqual([...folders].sort());
  });

  it('write exactly the tables they declare, from their own folder, and each table has one writer', () => {
    const writers = new Map<string, string[]>();
    for (const model of READ_MODELS) {
      const written = tablesWrittenIn(join(__dirname, model.name));
      expect({ model: model.name, tables: written }).toEqual({ model: model.name, tables: [...model.tables].sort() });
      for (const table of written) writers.set(table, [...(writers.get(table) ?? []), model.name]);
    }
    expect([...writers].filter(([, names]) => names.length > 1)).toEqual([]);
  });

  it('write the tables a rebuild replaces (projector.rebuilt_tables() of the latest migration defining it)', () => {
    const definitions = readdirSync(MIGRATIONS)
      .filter((file) => file.endsWith('.up.sql'))
      .sort()
      .map((file) =>
        readFileSync(join(MIGRATIONS, file), 'utf8').match(/FUNCTION projector\.rebuilt_tables\(\)[\s\S]*?RETURN ARRAY\[([^\]]*)\]/),
      )
      .filter((match) => match !== null);
    const rebuilt = [...definitions[definitions.length - 1]![1].matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
    expect(READ_MODELS.flatMap((model) => model.tables).sort()).toEqual(rebuilt.sort());
  });

  it('apply every event type', () => {
    const handled = new Set(READ_MODELS.flatMap((model) => model.canHandle));
    expect(EVENT_TYPES.filter((type) => !handled.has(type))).toEqual([]);
  });
});
