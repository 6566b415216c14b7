import { Controller, Get, Inject, Param, Query, UseGuards, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CLOCK, Clock } from '@vinsight/runtime';
import { ReadApiGuard, Reader } from '../../auth/read-api.guard';
import { ReadContext } from '../../database/read-context';
import { NotFoundError, ValidationFailedError } from '../../errors/read-api.errors';
import { ReadOperation } from '../../http/api-docs.decorators';
import { isUuid } from '../../http/query-params';
import { readApiValidationPipe } from '../../http/validation.pipe';
import { AnalyticsRepository } from './analytics.repository';
import { StatsQuery, StatsView, UptimeQuery, UptimeView } from './analytics.views';
import { MAX_SPAN_MS, bucketSizeFor, bucketStartFor, uptimeRanges, zeroFilledBuckets } from './analytics.windows';

const round = (value: number | null, digits: number) => (value === null ? null : Number(value.toFixed(digits)));

@ApiTags('monitors')
@Controller('v1/monitors/:id')
@UseGuards(ReadApiGuard)
@UsePipes(readApiValidationPipe())
export class AnalyticsController {
  constructor(
    private readonly analytics: AnalyticsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('uptime')
  @ApiOperation({ operationId: 'getMonitorUptime', summary: 'Uptime, downtime and latency of a monitor over a window ending now' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ReadOperation(UptimeView, { notFound: true })
  async uptime(@Reader() reader: ReadContext, @Param('id') id: string, @Query() query: UptimeQuery): Promise<UptimeView> {
    const ranges = uptimeRanges(query.window, this.clock.now());
    const monitorId = id.toLowerCase();
    const monitorFigures = isUuid(id) ? await this.analytics.uptime(reader, monitorId, ranges) : null;
    if (!monitorFigures) throw new NotFoundError('monitor');
    // Rollups are per monitor; a region's checks, and the breakdown, come from raw checks.
    const regions =
      query.region !== undefined || query.by === 'region'
        ? await this.analytics.checksByRegion(reader, monitorId, ranges.from, ranges.to, query.region)
        : [];
    if (regions === null) throw new NotFoundError('monitor');
    const figures =
      query.region === undefined
        ? monitorFigures
        : {
            ...monitorFigures,
            ...(regions[0] ?? {
              totalChecks: 0,
              upChecks: 0,
              downChecks: 0,
              errorChecks: 0,
              avgResponseTimeMs: null,
              p95ResponseTimeMs: null,
            }),
          };
    return {
      window: query.window,
      from: ranges.from.toISOString(),
      to: ranges.to.toISOString(),
      totalChecks: figures.totalChecks,
      upChecks: figures.upChecks,
      downChecks: figures.downChecks,
      errorChecks: figures.errorChecks,
      uptimePercent: figures.totalChecks === 0 ? null : round((figures.upChecks / figures.totalChecks) * 100, 4),
      downtimeSeconds: round(figures.downtimeSeconds, 3)!,
      incidentCount: figures.incidentCount,
      maintenanceChecks: figures.maintenanceChecks,
      maintenanceSeconds: round(figures.maintenanceSeconds, 3)!,
      avgResponseTimeMs: round(figures.avgResponseTimeMs, 2),
      p95ResponseTimeMs: round(figures.p95ResponseTimeMs, 2),
      ...(query.region !== undefined && { region: query.region }),
      ...(query.by === 'region' && {
        regions: regions.map((r) => ({
          region: r.region,
          totalChecks: r.totalChecks,
          upChecks: r.upChecks,
          downChecks: r.downChecks,
          errorChecks: r.errorChecks,
          uptimePercent: r.totalChecks === 0 ? null : round((r.upChecks / r.totalChecks) * 100, 4),
          avgResponseTimeMs: round(r.avgResponseTimeMs, 2),
          p95ResponseTimeMs: round(r.p95ResponseTimeMs, 2),
        })),
      }),
    };
  }

  @Get('stats')
  @ApiOperation({ operationId: 'getMonitorStats', summary: 'Check counts and latency of a monitor in time buckets, for charts' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ReadOperation(StatsView, { notFound: true })
  async stats(@Reader() reader: ReadContext, @Param('id') id: string, @Query() query: StatsQuery): Promise<StatsView> {
    const to = query.to ?? this.clock.now();
    const from = query.from ?? new Date(to.getTime() - 24 * 3600 * 1000);
    if (from >= to) throw new ValidationFailedError([{ field: 'from', message: 'must be before to' }]);
    const size = bucketSizeFor(query.granularity, from, to);
    if (to.getTime() - from.getTime() > MAX_SPAN_MS[size]) {
      throw new ValidationFailedError([
        {
          field: 'granularity',
          message: `${size} buckets cover at most ${MAX_SPAN_MS[size] / 86400000} days; choose a coarser granularity or a shorter range`,
        },
      ]);
    }
    const firstStart = bucketStartFor(size, from);
    const found = isUuid(id) ? await this.analytics.stats(reader, id.toLowerCase(), size, firstStart, to, query.region) : null;
    if (!found) throw new NotFoundError('monitor');
    return {
      granularity: size,
      data: zeroFilledBuckets(found, size, firstStart, to).map((bucket) => ({
        ...bucket,
        bucketStart: bucket.bucketStart.toISOString(),
        avgResponseTimeMs: round(bucket.avgResponseTimeMs, 2),
        p95ResponseTimeMs: round(bucket.p95ResponseTimeMs, 2),
      })),
    };
  }
}
