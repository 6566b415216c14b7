/** The row of golang-migrate's `schema_migrations`, or null when no migration was ever applied. */
export interface SchemaVersionRow {
  version: number;
  dirty: boolean;
}

export interface SchemaVersionVerdict {
  up: boolean;
  details: { expectedVersion: number | null; version: number | null; dirty: boolean; message?: string };
}

/**
 * Whether the database's schema is the one this build was written for: exactly the highest
 * migration it ships, not dirty. Older means the migration Job has not run; newer means this pod
 * is older code than the schema (a rollback without `migrate-down`); dirty means a migration
 * failed half-way. In all three cases serving would fail on missing or changed columns.
 */
export function schemaVersionVerdict(expectedVersion: number | null, row: SchemaVersionRow | null): SchemaVersionVerdict {
  const version = row?.version ?? null;
  const dirty = row?.dirty ?? false;
  const details = { expectedVersion, version, dirty };
  if (dirty)
    return {
      up: false,
      details: { ...details, message: `migration ${version} failed and left the schema dirty (make migrate-force after fixing it)` },
    };
  if (version === expectedVersion) return { up: true, details };
  if (version === null || (expectedVersion !== null && version < expectedVersion)) {
    return {
      up: false,
      details: { ...details, message: `schema at version ${version ?? 'none'}, this build needs ${expectedVersion}: run the migrations` },
    };
  }
  return {
    up: false,
    details: { ...details, message: `schema at version ${version} is newer than this build (${expectedVersion ?? 'none'})` },
  };
}
