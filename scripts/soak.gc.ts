/**
 * V8's `--trace-gc` lines of the soaked service: the heap left after each full (mark-compact)
 * collection is the live size, whatever garbage V8 lets pile up between collections; its trend
 * is what tells a leak from a heap V8 merely keeps large. `node dist/scripts/soak.gc.js FILE
 * [fromMs toMs]` summarises a log.
 */
import { readFileSync } from 'node:fs';

export interface FullGc {
  /** Milliseconds since the process started. */
  atMs: number;
  /** Heap used after the collection (the live size), MB. */
  liveMb: number;
  /** Heap committed after the collection, MB. */
  committedMb: number;
}

const MARK_COMPACT = /\s(\d+) ms: Mark-Compact(?: \([a-z ]+\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \(([\d.]+)\) MB/;

export function fullGcs(text: string): FullGc[] {
  const gcs: FullGc[] = [];
  for (const line of text.split('\n')) {
    const match = MARK_COMPACT.exec(line);
    if (match) gcs.push({ atMs: Number(match[1]), liveMb: Number(match[2]), committedMb: Number(match[3]) });
  }
  return gcs;
}

/** Live size after full collections between two moments: count, first and last (mean of three), slope. */
export function liveHeapTrend(gcs: FullGc[], fromMs: number, toMs: number) {
  const inside = gcs.filter((gc) => gc.atMs >= fromMs && gc.atMs <= toMs);
  if (inside.length < 2) return { fullGcs: inside.length };
  const mean = (list: FullGc[], field: 'liveMb' | 'committedMb') => round(list.reduce((sum, gc) => sum + gc[field], 0) / list.length);
  const minutes = inside.map((gc) => gc.atMs / 60000);
  const mx = minutes.reduce((s, x) => s + x, 0) / minutes.length;
  const my = inside.reduce((s, gc) => s + gc.liveMb, 0) / inside.length;
  const sxx = minutes.reduce((s, x) => s + (x - mx) ** 2, 0);
  const sxy = inside.reduce((s, gc, i) => s + (minutes[i] - mx) * (gc.liveMb - my), 0);
  return {
    fullGcs: inside.length,
    liveMbFirst: mean(inside.slice(0, 3), 'liveMb'),
    liveMbLast: mean(inside.slice(-3), 'liveMb'),
    liveMbSlopePerMin: sxx === 0 ? 0 : Math.round((sxy / sxx) * 100) / 100,
    committedMbFirst: mean(inside.slice(0, 3), 'committedMb'),
    committedMbLast: mean(inside.slice(-3), 'committedMb'),
  };
}

const round = (value: number) => Math.round(value * 10) / 10;

if (require.main === module) {
  const [file, from = '0', to = String(Number.MAX_SAFE_INTEGER)] = process.argv.slice(2);
  process.stdout.write(`${JSON.stringify(liveHeapTrend(fullGcs(readFileSync(file, 'utf8')), Number(from), Number(to)))}\n`);
}
