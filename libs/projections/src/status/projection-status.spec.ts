import { renderStatus } from './projection-status';

describe('renderStatus', () => {
  it('prints one aligned line per partition and the totals', () => {
    const text = renderStatus({
      projection: 'read-models',
      partitions: [
        { topic: 'vinsight.events', partition: 0, checkpoint: 120, highWatermark: 125, lag: 5 },
        { topic: 'vinsight.check-events', partition: 11, checkpoint: 98000, highWatermark: 98000, lag: 0 },
      ],
      totalLag: 5,
      parkedWaiting: 1,
    });
    expect(text.split('\n')).toEqual([
      'projection read-models',
      'topic                  partition  checkpoint  high watermark  lag',
      'vinsight.events                0         120             125    5',
      'vinsight.check-events         11       98000           98000    0',
      'total lag 5 events; parked events waiting: 1',
    ]);
  });
});
