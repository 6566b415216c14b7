/**
 * Set-based writes: one statement per table and batch, its rows passed as one array per column
 * and turned back into rows by `unnest`. `columns` pairs each column with its array type.
 */
export interface UnnestColumn<Row> {
  readonly name: string;
  readonly type: string;
  readonly value: (row: Row) => unknown;
}

export function unnestRows<Row>(
  columns: readonly UnnestColumn<Row>[],
  rows: readonly Row[],
  firstParameter = 1,
): { from: string; params: unknown[] } {
  const params = columns.map((column) => rows.map(column.value));
  const args = columns.map((column, i) => `$${firstParameter + i}::${column.type}[]`).join(', ');
  const names = columns.map((column) => column.name).join(', ');
  return { from: `unnest(${args}) AS u(${names})`, params };
}
