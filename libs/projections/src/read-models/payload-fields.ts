import type { TextRule } from '@vinsight/domain';
import { storedTextProblem } from '@vinsight/domain';
import { isIsoTime, normalizedUuid } from '../events/field-checks';
import { reject } from '../events/projection-rejection';

/** Field readers for event payloads: each returns the value or rejects the event, naming the field. */
export const fields = (payload: object) => {
  const p = payload as Record<string, unknown>;
  /** The domain's storable-text rule (see storedTextProblem), the write side's rule being stricter. */
  const text = (name: string, rule: Pick<TextRule, 'min' | 'max'>, pattern?: RegExp): string => {
    const value = p[name];
    if (typeof value !== 'string') return reject('INVALID_PAYLOAD', `payload.${name} must be text`);
    const problem = storedTextProblem(value, rule);
    if (problem !== null) reject('INVALID_PAYLOAD', `payload.${name} ${problem}`);
    if (pattern && !pattern.test(value)) reject('INVALID_PAYLOAD', `payload.${name} must match ${pattern}`);
    return value;
  };
  return {
    has: (name: string): boolean => p[name] !== undefined && p[name] !== null,
    uuid(name: string): string {
      const value = normalizedUuid(p[name]);
      if (value === null) return reject('INVALID_PAYLOAD', `payload.${name} must be a UUID`);
      return value;
    },
    text,
    optionalText: (name: string, rule: Pick<TextRule, 'min' | 'max'>): string | null =>
      p[name] === undefined || p[name] === null ? null : text(name, { min: 0, max: rule.max }),
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
