import { InjectedFaults } from './fault-injection';

describe('InjectedFaults', () => {
  it('does nothing without a setting', () => {
    const exits: string[] = [];
    const faults = new InjectedFaults({}, (reason) => exits.push(reason));
    expect(faults.enabled).toBe(false);
    faults.insideBatch(0, 1_000_000, 'a batch', true);
    expect(exits).toEqual([]);
  });

  it('exits inside the batch in which the records handled since start reach the setting', () => {
    const exits: string[] = [];
    const faults = new InjectedFaults({ exitInBatchAfterRecords: 250 }, (reason) => exits.push(reason));
    faults.insideBatch(0, 100, 'batch 1');
    faults.insideBatch(1, 0, 'markers only');
    faults.insideBatch(1, 149, 'batch 2');
    expect(exits).toEqual([]);
    faults.insideBatch(2, 20, 'batch 3');
    expect(exits).toEqual(['fault injection: exit inside batch 3 (20 records) with 269 handled since start, before its commit']);
  });

  it('fails every failable transaction of the chosen partition, and only those', () => {
    const faults = new InjectedFaults({ failPartition: 2 }, () => undefined);
    expect(() => faults.insideBatch(2, 5, 'x', true)).toThrow('fault injection: transactions of partition 2 fail');
    expect(() => faults.insideBatch(2, 5, 'x')).not.toThrow();
    expect(() => faults.insideBatch(1, 5, 'x', true)).not.toThrow();
  });
});
