import type { PreparedStatement } from './read-models.database';

/**
 * The parameters of a PreparedStatement whose WHERE clause depends on the filters a request
 * gives: each value becomes the next `$n` of its type, and each optional filter present sets its
 * bit of `shape`, so that one statement name stands for one combination of filters, declared
 * once per pooled connection (ReadModelsDatabase.prepared) whatever the values.
 */
export class StatementParameters {
  readonly types: string[] = [];
  /** The arguments of EXECUTE, each from sql-literals.ts. */
  readonly literals: string[] = [];
  readonly conditions: string[] = [];
  private shape = 0;

  /** `literal` as the next parameter, of SQL type `type`; returns its placeholder. */
  add(type: string, literal: string): string {
    this.types.push(type);
    this.literals.push(literal);
    return `$${this.types.length}`;
  }

  /** A condition every statement of this kind has. */
  where(condition: string): void {
    this.conditions.push(condition);
  }

  /** An optional filter's condition; `bit` is its own, the same for every call. */
  filter(bit: number, condition: string): void {
    this.conditions.push(condition);
    this.shape |= bit;
  }

  /** The conditions joined for a WHERE clause. */
  get whereSql(): string {
    return this.conditions.join(' AND ');
  }

  /** The statement `text`, named `<kind>_<shape>`. */
  statement(kind: string, text: string, options: { genericPlan?: boolean } = {}): { statement: PreparedStatement; literals: string[] } {
    return { statement: { name: `${kind}_${this.shape}`, types: this.types, text, ...options }, literals: this.literals };
  }
}
