import type { Pool } from 'pg';
import { DecodedRecord } from '../events/decode-event';
import { ProjectionTarget } from '../projection-target';
import { LONGEST_CHECK_RETENTION_DAYS } from '../projections.constants';
import type { Clock } from '@vinsight/runtime';

const DAY_MS = 86_400_000;
/** Partitions kept ready ahead of today (and behind it, for late checks). */
const AHEAD_DAYS = 7;
const BEHIND_DAYS = 2;

/**
 * Keeps monitor_checks partitioned by day ahead of the checks that need a partition. Partitions
 * are created outside the batch transactions (their DDL would hold locks on monitor_checks until
 * the batch commits); a day outside [today - 400, today + 7] is left to the DEFAULT partition,
 * which retention empties anyway.
 */
export class CheckPartitions {
  private readonly known = new Set<string>();

  constructor(
    private readonly pool: Pool,
    private readonly target: ProjectionTarget,
    private readonly clock: Clock,
  ) {}

  /** The window around today: at start and then daily. */
  async ensureUpcoming(): Promise<void> {
    const today = this.clock.now().getTime();
    await this.create(dayOf(today - BEHIND_DAYS * DAY_MS), BEHIND_DAYS + AHEAD_DAYS + 1);
  }

  /** The partitions of these days (YYYY-MM-DD), if missing and within the window retention keeps. */
  async ensureDays(days: readonly string[]): Promise<void> {
    const now = this.clock.now().getTime();
    const oldest = dayOf(now - LONGEST_CHECK_RETENTION_DAYS * DAY_MS);
    const newest = dayOf(now + AHEAD_DAYS * DAY_MS);
    for (const day of days) {
      if (this.known.has(day) || day < oldest || day > newest) continue;
      await this.create(day, 1);
    }
  }

  /** Forget what exists (after a switch replaced the table). */
  forget(): void {
    this.known.clear();
  }

  private async create(fromDay: string, days: number): Promise<void> {
    if (this.target.buildSchema === null) {
      await this.pool.query('SELECT ensure_monitor_check_partitions($1::date, $2)', [fromDay, days]);
    } else {
      await this.pool.query('SELECT projector.rebuild_ensure_check_partitions($1, $2::date, $3)', [this.target.buildSchema, fromDay, days]);
    }
    const start = Date.parse(`${fromDay}T00:00:00Z`);
    for (let i = 0; i < days; i += 1) this.known.add(dayOf(start + i * DAY_MS));
  }
}

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The UTC days (YYYY-MM-DD) of the check results among the records: the partitions they need. */
export function checkDaysOf(records: readonly DecodedRecord[]): string[] {
  const days = new Set<number>();
  for (const decoded of records) if (decoded.ok && decoded.check) days.add(Math.floor(decoded.check.checkedAtMs / DAY_MS));
  return [...days].sort((a, b) => a - b).map((day) => dayOf(day * DAY_MS));
}
