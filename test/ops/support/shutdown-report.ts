import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where every shutdown test leaves its measured figures, for the closing report of issue 6. */
export const SHUTDOWN_REPORT = join(tmpdir(), 'vinsight-shutdown-times.json');

/**
 * Merges `figures` under `key` into the report, keeping what other tests wrote there (they run
 * in separate Jest workers or runs), and prints them so a run's log carries them too.
 */
export function recordShutdownFigures(key: string, figures: unknown): void {
  let report: Record<string, unknown> = {};
  if (existsSync(SHUTDOWN_REPORT)) {
    try {
      report = JSON.parse(readFileSync(SHUTDOWN_REPORT, 'utf8')) as Record<string, unknown>;
    } catch {
      report = {}; // a torn or foreign file: start over rather than fail the test that measured
    }
  }
  report[key] = figures;
  writeFileSync(SHUTDOWN_REPORT, JSON.stringify(report, null, 2));
  process.stdout.write(`shutdown figures ${key}: ${JSON.stringify(figures)}\n`);
}

/** Sends SIGTERM and resolves with the exit code and the milliseconds from the signal to the exit. */
export async function terminate(
  child: { kill(signal: NodeJS.Signals): boolean },
  exited: Promise<number | null>,
): Promise<{ code: number | null; shutdownMs: number }> {
  const sigtermAt = Date.now();
  child.kill('SIGTERM');
  const code = await exited;
  return { code, shutdownMs: Date.now() - sigtermAt };
}
