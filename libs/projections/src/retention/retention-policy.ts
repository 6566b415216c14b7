import { CHECK_RETENTION_DAYS, LONGEST_CHECK_RETENTION_DAYS, ROLLUP_RETENTION_DAYS } from '../projections.constants';

const DAY_MS = 86_400_000;

export type RetainedPlan = keyof typeof CHECK_RETENTION_DAYS;

/** What retention removes at `now`: instants before which data goes. Pure, for tests. */
export interface RetentionCutoffs {
  /** Daily check partitions of days before this one (UTC, YYYY-MM-DD) are dropped whole. */
  dropPartitionsBefore: string;
  /** Per plan, raw checks older than this instant are deleted. */
  checksBefore: Record<RetainedPlan, Date>;
  /** Rollup rows whose bucket starts before this instant are deleted. */
  rollupsBefore: Date;
}

export function retentionCutoffs(now: Date, days: Record<RetainedPlan, number> = CHECK_RETENTION_DAYS): RetentionCutoffs {
  const at = now.getTime();
  const longest = Math.max(LONGEST_CHECK_RETENTION_DAYS, ...Object.values(days));
  return {
    // a partition goes only when its whole day is older than the longest retention
    dropPartitionsBefore: new Date(at - longest * DAY_MS).toISOString().slice(0, 10),
    checksBefore: {
      free: new Date(at - days.free * DAY_MS),
      pro: new Date(at - days.pro * DAY_MS),
      enterprise: new Date(at - days.enterprise * DAY_MS),
    },
    rollupsBefore: new Date(at - ROLLUP_RETENTION_DAYS * DAY_MS),
  };
}
