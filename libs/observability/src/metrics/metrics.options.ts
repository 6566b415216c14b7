import type { InjectionToken } from '@nestjs/common';

export interface MetricsModuleOptions {
  /** The `service` label on every series. */
  service: string;
  /** pg pools to report, by the injection token their module provides them under. */
  pools?: { name: string; token: InjectionToken }[];
  /** Process metrics (CPU, memory, event loop, GC); on unless false. */
  defaultMetrics?: boolean;
}

export const METRICS_OPTIONS = Symbol('METRICS_OPTIONS');
