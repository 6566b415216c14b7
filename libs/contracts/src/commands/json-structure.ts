import type { ErrorDetail } from '@vinsight/domain';

/**
 * Limits on the shape of a command message, checked right after JSON.parse and before anything
 * recursive (class-transformer, class-validator, object spreads) touches the value: a few
 * thousand levels of nesting overflow their stacks, and `__proto__`, `constructor` or `prototype`
 * keys turn their property copies into prototype assignments. No command needs more than three
 * levels (envelope, payload, field) or a few dozen values; asyncapi.yaml documents these limits.
 */
export const COMMAND_LIMITS = {
  /** Levels of objects and arrays, the envelope itself being level 1. */
  maxDepth: 16,
  /** Object members and array elements in the whole message, at every level. */
  maxValues: 10_000,
  /** Keys refused anywhere, at any level. */
  forbiddenKeys: ['__proto__', 'constructor', 'prototype'] as readonly string[],
} as const;

/** Characters of one key kept in a field path of a detail: a key can be as long as the message. */
const MAX_KEY_SHOWN = 64;

/** An object or array still to be measured, and where it sits (its path is built only for a detail). */
interface Nested {
  readonly value: object;
  readonly parent: Nested | undefined;
  readonly key: string | number;
  readonly depth: number;
}

/**
 * The first way `root` (a JSON.parse result) breaks the limits, as a detail naming where, or null.
 * Iterative: a value nested deeper than any stack is measured without recursion. It runs on every
 * command, so it allocates only an entry per object or array, and a path only for a detail.
 */
export function structureProblem(root: unknown, limits = COMMAND_LIMITS): ErrorDetail | null {
  if (typeof root !== 'object' || root === null) return null;
  const stack: Nested[] = [{ value: root, parent: undefined, key: '', depth: 1 }];
  let values = 0;
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const { value, depth } = entry;
    if (depth > limits.maxDepth) {
      return { field: pathOf(entry), message: `nesting deeper than ${limits.maxDepth} levels is refused` };
    }
    const keys = Array.isArray(value) ? null : Object.keys(value);
    if (keys !== null) {
      for (const key of keys) {
        if (limits.forbiddenKeys.includes(key)) {
          return { field: join(pathOf(entry), key), message: `the key "${key}" is refused anywhere in a command` };
        }
      }
    }
    values += keys === null ? (value as unknown[]).length : keys.length;
    if (values > limits.maxValues) {
      return {
        field: pathOf(entry),
        message: `more than ${limits.maxValues} object members and array elements in one command are refused`,
      };
    }
    if (keys === null) {
      const elements = value as unknown[];
      for (let index = 0; index < elements.length; index++) push(stack, elements[index], entry, index);
    } else {
      for (const key of keys) push(stack, (value as Record<string, unknown>)[key], entry, key);
    }
  }
  return null;
}

function push(stack: Nested[], value: unknown, parent: Nested, key: string | number): void {
  if (typeof value === 'object' && value !== null) stack.push({ value, parent, key, depth: parent.depth + 1 });
}

function pathOf({ parent, key }: Nested): string {
  if (parent === undefined) return '';
  return typeof key === 'number' ? `${pathOf(parent)}[${key}]` : join(pathOf(parent), key);
}

function join(path: string, key: string): string {
  const shown = key.length > MAX_KEY_SHOWN ? `${key.slice(0, MAX_KEY_SHOWN)}…` : key;
  return path === '' ? shown : `${path}.${shown}`;
}
