/** The JSON form of a value: what `JSON.parse(JSON.stringify(value))` gives back. */
export type Jsonified<T> = T extends Date
  ? string
  : T extends readonly (infer Item)[]
    ? Jsonified<Item>[]
    : T extends object
      ? { [K in keyof T as undefined extends T[K] ? never : K]: Jsonified<T[K]> } & {
          [K in keyof T as undefined extends T[K] ? K : never]?: Jsonified<Exclude<T[K], undefined>>;
        }
      : T;

/** Dates become ISO strings and undefined properties disappear, as JSON.stringify would do. */
export function toJson<T>(value: T): Jsonified<T> {
  const copy = plainJsonCopy(value);
  return (copy === NOT_PLAIN ? JSON.parse(JSON.stringify(value)) : copy) as Jsonified<T>;
}

const NOT_PLAIN = Symbol('not plain JSON data');

/**
 * The JSON form built directly, for the data events carry (strings, finite numbers, booleans,
 * null, valid dates, arrays and plain objects of them): a stringify and a parse per event were
 * the processor's largest cost after validation. Anything else (a non-finite number, an
 * undefined array element, a class with its own toJSON...) answers NOT_PLAIN, and `toJson` uses
 * the round trip itself, so the result never differs from it.
 */
function plainJsonCopy(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // -0 is written as 0.
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : NOT_PLAIN;
    case 'object':
      break;
    default:
      return NOT_PLAIN;
  }
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? NOT_PLAIN : value.toISOString();
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = value[i] === undefined ? NOT_PLAIN : plainJsonCopy(value[i]);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      copy[i] = item;
    }
    return copy;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if ((prototype !== Object.prototype && prototype !== null) || 'toJSON' in value) return NOT_PLAIN;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (field === undefined) continue;
    if (key === '__proto__') return NOT_PLAIN;
    const item = plainJsonCopy(field);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    copy[key] = item;
  }
  return copy;
}
