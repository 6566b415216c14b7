/**
 * Unique, valid v4-shaped UUIDs without node:crypto (the domain imports no platform modules, its
 * tests included) and without unseeded randomness. Unique within a test file, which is what
 * keeps tests independent: no two tests touch the same ids.
 */
let sequence = 0;

export function newId(): string {
  sequence += 1;
  return `00000000-0000-4000-8000-${sequence.toString(16).padStart(12, '0')}`;
}
