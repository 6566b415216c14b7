export { READ_MODELS_PROJECTION } from '@vinsight/database';

/** Retention per plan (ISSUE 4): raw checks are trimmed per plan, rollups kept 400 days. */
export const CHECK_RETENTION_DAYS = { free: 7, pro: 90, enterprise: 400 } as const;
export const ROLLUP_RETENTION_DAYS = 400;

/** The longest any raw check is kept: whole daily partitions older than this are dropped. */
export const LONGEST_CHECK_RETENTION_DAYS = Math.max(...Object.values(CHECK_RETENTION_DAYS));
