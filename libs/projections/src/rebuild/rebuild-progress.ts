/** Where a rebuild stands: events applied out of those in the topics when it started. */
export interface RebuildProgress {
  readonly phase: 'replaying' | 'switching' | 'done';
  readonly applied: number;
  readonly total: number;
  readonly eventsPerSecond: number;
  /** Seconds left at the current rate; null until there is a rate. */
  readonly etaSeconds: number | null;
  readonly elapsedSeconds: number;
}

/** Rate over the whole run so far (steadier than the last interval), and the time left at that rate. */
export function progressOf(phase: RebuildProgress['phase'], applied: number, total: number, elapsedMs: number): RebuildProgress {
  const elapsedSeconds = elapsedMs / 1000;
  const eventsPerSecond = elapsedSeconds > 0 ? applied / elapsedSeconds : 0;
  const left = Math.max(0, total - applied);
  return {
    phase,
    applied,
    total,
    eventsPerSecond,
    etaSeconds: eventsPerSecond > 0 ? left / eventsPerSecond : null,
    elapsedSeconds,
  };
}

/** `[##########..........]  50.0%  250000/500000 events  41000 ev/s  ETA 6s` */
export function renderProgressBar(progress: RebuildProgress, width = 30): string {
  const fraction = progress.total === 0 ? 1 : Math.min(1, progress.applied / progress.total);
  const filled = Math.round(fraction * width);
  const eta = progress.etaSeconds === null ? '--' : formatSeconds(progress.etaSeconds);
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}%  ` +
    `${progress.applied}/${progress.total} events  ${Math.round(progress.eventsPerSecond)} ev/s  ETA ${eta}  (${progress.phase})`
  );
}

export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
