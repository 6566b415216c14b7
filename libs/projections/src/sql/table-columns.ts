import { UnnestColumn } from './unnest';

/**
 * A column of a read-model table paired with the field of the row type that holds it. One list
 * per table serves that table's SELECT, INSERT and ON CONFLICT UPDATE, so a column is named once.
 */
export interface TableColumn<Row> extends UnnestColumn<Row> {
  readonly field: keyof Row & string;
}

export const column = <Row>(name: string, field: keyof Row & string, type: string): TableColumn<Row> => ({
  name,
  field,
  type,
  value: (row) => row[field],
});

/** `a, b, c`, or `t.a, t.b, t.c` with a table alias, or `t.a AS p_a, ...` with a prefix too. */
export const columnList = (columns: readonly TableColumn<never>[], alias?: string, prefix = ''): string =>
  columns.map((c) => (alias ? `${alias}.${c.name}${prefix ? ` AS ${prefix}${c.name}` : ''}` : c.name)).join(', ');

/** The SET list of an upsert: every column but the key and those set once. */
export const updateAssignments = (columns: readonly TableColumn<never>[], except: readonly string[]): string =>
  columns
    .filter((c) => !except.includes(c.name))
    .map((c) => `${c.name} = EXCLUDED.${c.name}`)
    .join(', ');

/**
 * A row of the table as the row type holds it: times as ISO-8601 text (pg returns Date), the way
 * evolve functions write them, so a row read back compares equal to one folded from events.
 */
export function rowFrom<Row>(columns: readonly TableColumn<Row>[], selected: Record<string, unknown>, prefix = ''): Row {
  const row: Record<string, unknown> = {};
  for (const c of columns) {
    const value = selected[prefix + c.name];
    row[c.field] = value instanceof Date ? value.toISOString() : value;
  }
  return row as Row;
}
