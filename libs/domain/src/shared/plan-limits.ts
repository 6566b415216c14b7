export const PLANS = ['free', 'pro', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

export interface PlanLimits {
  /** Monitors that are not deleted (paused ones count); null means unlimited. */
  readonly maxMonitors: number | null;
  readonly minCheckIntervalSeconds: number;
}

/** asyncapi.yaml, CommandEnvelope, "Plan limits". */
export const PLAN_LIMITS: Readonly<Record<Plan, PlanLimits>> = {
  free: { maxMonitors: 10, minCheckIntervalSeconds: 60 },
  pro: { maxMonitors: 1000, minCheckIntervalSeconds: 30 },
  enterprise: { maxMonitors: null, minCheckIntervalSeconds: 10 },
};
