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

/**
 * The first way `root` (a JSON.parse result) breaks the limits, as a detail naming where, or null.
 * Iterative: a value nested deeper than any stack is measured without recursion.
 */
export function structureProblem(root: unknown, limits = COMMAND_LIMITS): ErrorDetail | null {
  const forbidden = new Set(limits.forbiddenKeys);
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '', depth: 1 }];
  let values = 0;
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > limits.maxDepth) {
      return { field: path, message: `nesting deeper than ${limits.maxDepth} levels is refused` };
    }
    const keys = Array.isArray(value) ? null : Object.keys(value);
    const refused = keys?.find((key) => forbidden.has(key));
    if (refused !== undefined) return { field: join(path, refused), message: `the key "${refused}" is refused anywhere in a command` };
    values += keys === null ? (value as unknown[]).length : keys.length;
    if (values > limits.maxValues) {
      return { field: path, message: `more than ${limits.maxValues} object members and array elements in one command are refused` };
    }
    if (keys === null)
      (value as unknown[]).forEach((element, index) => stack.push({ value: element, path: `${path}[${index}]`, depth: depth + 1 }));
    else for (const key of keys) stack.push({ value: (value as Record<string, unknown>)[key], path: join(path, key), depth: depth + 1 });
  }
  return null;
}

function join(path: string, key: string): string {
  const shown = key.length > MAX_KEY_SHOWN ? `${key.slice(0, MAX_KEY_SHOWN)}…` : key;
  return path === '' ? shown : `${path}.${shown}`;
}
