import { writeSync } from 'node:fs';
import type { AppConfig } from '@vinsight/config';

/**
 * Test-only faults (FAULT_INJECTION_* settings), called by the projector and the command
 * processor inside each batch transaction, once its work is written and before it commits. Crash
 * tests use them to kill a process at a point they choose rather than at a moment they hope for.
 */
export class InjectedFaults {
  private handled = 0;

  constructor(
    private readonly settings: AppConfig['faultInjection'],
    private readonly exit: (reason: string) => void = killSelf,
  ) {}

  /** Whether any fault is configured (a production process has none). */
  get enabled(): boolean {
    return this.settings.exitInBatchAfterRecords !== undefined || this.settings.failPartition !== undefined;
  }

  /**
   * A batch of `records` input records of `partition` is written, not committed. Exits when the
   * records handled since start reach FAULT_INJECTION_EXIT_IN_BATCH_AFTER_RECORDS; throws for
   * FAULT_INJECTION_FAIL_PARTITION (`failable`: only where a failed transaction is retried).
   */
  insideBatch(partition: number, records: number, batch: string, failable = false): void {
    const { exitInBatchAfterRecords, failPartition } = this.settings;
    if (failable && partition === failPartition) throw new Error(`fault injection: transactions of partition ${partition} fail`);
    if (exitInBatchAfterRecords === undefined || records === 0) return;
    this.handled += records;
    if (this.handled >= exitInBatchAfterRecords) {
      this.exit(`fault injection: exit inside ${batch} (${records} records) with ${this.handled} handled since start, before its commit`);
    }
  }
}

/**
 * SIGKILL to itself: no shutdown hook, no flush, the open transaction is left to the server, as
 * when a node dies. The line on stderr is written synchronously, so tests can tell this death
 * from any other.
 */
function killSelf(reason: string): void {
  writeSync(2, `${reason}\n`);
  process.kill(process.pid, 'SIGKILL');
}
