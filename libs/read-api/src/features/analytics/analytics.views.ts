import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Field } from '../../http/api-docs.decorators';
import { RegionParam, TimestampParam } from '../../http/query-params';
import { GRANULARITIES, Granularity, UPTIME_WINDOWS, UptimeWindow } from './analytics.windows';

const WINDOWS = Object.keys(UPTIME_WINDOWS);
const UPTIME_BREAKDOWNS = ['region'] as const;
type UptimeBreakdown = (typeof UPTIME_BREAKDOWNS)[number];

export class UptimeQuery {
  @ApiPropertyOptional({ enum: WINDOWS, default: '24h' })
  @IsOptional()
  @IsIn(WINDOWS, { message: `must be one of ${WINDOWS.join(', ')}` })
  window: UptimeWindow = '24h';

  @RegionParam("only checks that ran in this region (incidents and downtime stay the whole monitor's)") region?: string;

  @ApiPropertyOptional({ enum: UPTIME_BREAKDOWNS, description: '`region`: add `regions`, the figures of each region' })
  @IsOptional()
  @IsIn(UPTIME_BREAKDOWNS, { message: `must be one of ${UPTIME_BREAKDOWNS.join(', ')}` })
  by?: UptimeBreakdown;
}

export class StatsQuery {
  @TimestampParam('start of the range (default: 24 h before `to`)') from?: Date;
  @TimestampParam('end of the range (default: now)') to?: Date;
  @ApiPropertyOptional({ enum: GRANULARITIES, default: 'auto' })
  @IsOptional()
  @IsIn(GRANULARITIES, { message: `must be one of ${GRANULARITIES.join(', ')}` })
  granularity: Granularity = 'auto';

  @RegionParam('only checks that ran in this region') region?: string;
}

export class RegionUptimeView {
  @Field({ type: 'string', nullable: true, description: 'null: checks that did not say where they ran' }) region!: string | null;
  @Field({ type: 'integer' }) totalChecks!: number;
  @Field({ type: 'integer' }) upChecks!: number;
  @Field({ type: 'integer' }) downChecks!: number;
  @Field({ type: 'integer' }) errorChecks!: number;
  @Field({ type: 'number', nullable: true, description: 'up checks / all checks x 100; null without checks' }) uptimePercent!:
    number | null;
  @Field({ type: 'number', nullable: true }) avgResponseTimeMs!: number | null;
  @Field({ type: 'number', nullable: true, description: 'from the latency histograms (bucket-interpolated)' }) p95ResponseTimeMs!:
    number | null;
}

export class UptimeView {
  @Field({ enum: WINDOWS }) window!: string;
  @Field({ type: 'string', format: 'date-time' }) from!: string;
  @Field({ type: 'string', format: 'date-time' }) to!: string;
  @Field({ type: 'integer' }) totalChecks!: number;
  @Field({ type: 'integer' }) upChecks!: number;
  @Field({ type: 'integer' }) downChecks!: number;
  @Field({ type: 'integer' }) errorChecks!: number;
  @Field({ type: 'number', nullable: true, description: 'up checks / all checks x 100; null without checks' }) uptimePercent!:
    number | null;
  @Field({ type: 'number', description: 'incident time inside the window, less the time the monitor was in maintenance' })
  downtimeSeconds!: number;
  @Field({ type: 'integer', description: 'incidents overlapping the window' }) incidentCount!: number;
  @Field({ type: 'integer', description: 'checks inside a maintenance window: not in the counts above, nor in uptime and latencies' })
  maintenanceChecks!: number;
  @Field({ type: 'number', description: "time of the window inside the monitor's maintenance windows (overlaps counted once)" })
  maintenanceSeconds!: number;
  @Field({ type: 'number', nullable: true }) avgResponseTimeMs!: number | null;
  @Field({ type: 'number', nullable: true, description: 'from the latency histograms (bucket-interpolated)' }) p95ResponseTimeMs!:
    number | null;
  @Field({ type: 'string', required: false, description: 'the `region` asked for: the check figures are of that region only' })
  region?: string;
  @Field({
    type: [RegionUptimeView],
    required: false,
    description: 'with `by=region`: the checks of each region (of `region` alone when given), from raw checks, by region name, null last',
  })
  regions?: RegionUptimeView[];
}

export class StatsBucketView {
  @Field({ type: 'string', format: 'date-time' }) bucketStart!: string;
  @Field({ type: 'integer' }) totalChecks!: number;
  @Field({ type: 'integer' }) upChecks!: number;
  @Field({ type: 'integer' }) downChecks!: number;
  @Field({ type: 'integer' }) errorChecks!: number;
  @Field({ type: 'integer', description: 'checks inside a maintenance window, not in the counts and latencies' })
  maintenanceChecks!: number;
  @Field({ type: 'number', nullable: true }) avgResponseTimeMs!: number | null;
  @Field({ type: 'number', nullable: true }) p95ResponseTimeMs!: number | null;
}

export class StatsView {
  @Field({ enum: ['minute', 'hour', 'day'] }) granularity!: string;
  @Field({
    type: [StatsBucketView],
    description:
      'every bucket from the one holding `from` up to `to`, oldest first; a bucket without checks has zero counts and null latencies',
  })
  data!: StatsBucketView[];
}
