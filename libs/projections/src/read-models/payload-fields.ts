import { isIsoTime, normalizedUuid } from '../events/field-checks';
import { reject } from '../events/projection-rejection';

/** Field readers for event payloads: each returns the value or rejects the event, naming the field. */
export const fields = (payload: object) => {
  const p = payload as Record<string, unknown>;
  const text = (name: string, min: number, max: number, pattern?: RegExp): string => {
    const value = p[name];
    const length = typeof value === 'string' ? [...value].length : -1;
    if (typeof value !== 'string' || length < min || length > max || value.includes('\u0000') || (pattern && !pattern.test(value))) {
      reject('INVALID_PAYLOAD', `payload.${name} must be text of ${min}..${max} characters${pattern ? ` matching ${pattern}` : ''}`);
    }
    return value as string;
  };
  return {
    has: (name: string): boolean => p[name] !== undefined && p[name] !== null,
    uuid(name: string): string {
      const value = normalizedUuid(p[name]);
      if (value === null) return reject('INVALID_PAYLOAD', `payload.${name} must be a UUID`);
      return value;
    },
    text,
    optionalText: (name: string, max: number): string | null => (p[name] === undefined || p[name] === null ? null : text(name, 0, max)),
    time(name: string): string {
      if (!isIsoTime(p[name])) reject('INVALID_PAYLOAD', `payload.${name} must be an ISO-8601 time`);
      return p[name] as string;
    },
    optionalTime(name: string): string | null {
      if (p[name] === undefined || p[name] === null) return null;
      if (!isIsoTime(p[name])) reject('INVALID_PAYLOAD', `payload.${name} must be an ISO-8601 time`);
      return p[name] as string;
    },
    integer(name: string, min: number, max: number): number {
      const value = p[name];
      if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
        reject('INVALID_PAYLOAD', `payload.${name} must be an integer within ${min}..${max}`);
      }
      return value as number;
    },
    oneOf<T extends string>(name: string, values: readonly T[]): T {
      if (!values.includes(p[name] as T)) reject('INVALID_PAYLOAD', `payload.${name} must be one of ${values.join(', ')}`);
      return p[name] as T;
    },
  };
};
