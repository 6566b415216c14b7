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
  return JSON.parse(JSON.stringify(value)) as Jsonified<T>;
}
