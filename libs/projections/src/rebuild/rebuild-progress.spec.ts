import { formatSeconds, progressOf, renderProgressBar } from './rebuild-progress';

describe('rebuild progress', () => {
  it('computes the rate over the run and the time left at that rate', () => {
    expect(progressOf('replaying', 50_000, 200_000, 2_000)).toEqual({
      phase: 'replaying',
      applied: 50_000,
      total: 200_000,
      eventsPerSecond: 25_000,
      etaSeconds: 6,
      elapsedSeconds: 2,
    });
  });

  it('has no ETA before anything was applied', () => {
    expect(progressOf('replaying', 0, 10, 500).etaSeconds).toBeNull();
  });

  it('draws a bar with the figures', () => {
    expect(renderProgressBar(progressOf('replaying', 5, 10, 1000), 10)).toBe(
      '[#####.....]  50.0%  5/10 events  5 ev/s  ETA 1s  (replaying)',
    );
    expect(renderProgressBar(progressOf('done', 0, 0, 1000), 4)).toContain('[####] 100.0%');
  });

  it('formats durations', () => {
    expect([formatSeconds(5), formatSeconds(75), formatSeconds(7260)]).toEqual(['5s', '1m15s', '2h01m']);
  });
});
