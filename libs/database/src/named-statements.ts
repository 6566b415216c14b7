import { createHash } from 'node:crypto';
import { Client } from 'pg';

/** Distinct statement texts a process names at most; past them, statements are sent unnamed as before. */
export const MAX_NAMED_STATEMENTS = 256;

/**
 * Names for statement texts: the same text always gets the same name (a hash of it), so a
 * connection that already parsed it under that name reuses it. Bounded, because every name is a
 * prepared statement kept by every connection that ran it: a text built with varying literals
 * would otherwise grow the server's memory without end.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();

  constructor(private readonly max = MAX_NAMED_STATEMENTS) {}

  nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < this.max) {
      name = `vi_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      this.names.set(text, name);
    }
    return name;
  }
}

/**
 * A pg Client that sends every query with parameters as a named (prepared) statement: Postgres
 * parses and plans it on its first use on the connection and then only binds and executes it, where
 * an unnamed statement is parsed and planned again each time. The projector's batch statements are
 * few fixed texts run for every batch, and at a few hundred small batches a second their parsing
 * and planning cost Postgres more than running them. Queries without parameters (BEGIN, SAVEPOINT,
 * COPY) go as they are.
 */
export function namingClient(names: StatementNames = new StatementNames()): typeof Client {
  return class NamingClient extends Client {
    override query(...args: unknown[]): never {
      // pg's overloads, one untyped signature: this only changes how the arguments are sent.
      const query = super.query.bind(this) as (...a: unknown[]) => never;
      const [text, values, callback] = args;
      if (typeof text === 'string' && Array.isArray(values)) {
        const name = names.nameOf(text);
        if (name !== undefined) return query({ name, text, values }, callback);
      }
      return query(...args);
    }
  };
}
