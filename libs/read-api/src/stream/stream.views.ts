import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Field } from '../http/api-docs.decorators';
import { UuidParam } from '../http/query-params';
import { STREAM_EVENT_TYPES } from './stream-events';

export class StreamQuery {
  @ApiPropertyOptional({
    description: `comma-separated event types to receive, of ${STREAM_EVENT_TYPES.join(', ')}; default all but check.recorded`,
    type: 'string',
    example: 'monitor.status_changed,check.recorded',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  types?: string;

  @UuidParam('only the events of this monitor') monitorId?: string;

  @ApiPropertyOptional({
    description: 'the id of the last event received, for clients that cannot send the Last-Event-ID header (the header wins)',
    type: 'string',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  lastEventId?: string;
}

/** `data:` of `stream.opened`, the first event of every stream. */
export class StreamOpenedData {
  @Field({ type: 'string', description: 'where the stream starts (also its id): Last-Event-ID for a reconnect before any other event' })
  position!: string;
}

/** `data:` of `monitor.status_changed`. */
export class MonitorStatusChangedData {
  @Field({ type: 'string', format: 'uuid' }) monitorId!: string;
  @Field({ type: 'string', enum: ['unknown', 'up', 'down'] }) from!: string;
  @Field({ type: 'string', enum: ['up', 'down'] }) to!: string;
  @Field({ type: 'string', format: 'uuid', description: 'the check that changed the status' }) checkId!: string;
  @Field({ type: 'string', format: 'date-time', description: 'when that check ran' }) changedAt!: string;
  @Field({ type: 'string', required: false }) errorMessage?: string;
}

/** `data:` of `incident.opened`. */
export class IncidentOpenedData {
  @Field({ type: 'string', format: 'uuid', description: 'the id GET /v1/incidents shows' }) incidentId!: string;
  @Field({ type: 'string', format: 'uuid' }) monitorId!: string;
  @Field({ type: 'string', format: 'date-time' }) startedAt!: string;
  @Field({ type: 'string', nullable: true }) firstError!: string | null;
}

/** `data:` of `incident.resolved`: the monitor's open incident ended. */
export class IncidentResolvedData {
  @Field({ type: 'string', format: 'uuid' }) monitorId!: string;
  @Field({ type: 'string', format: 'date-time' }) resolvedAt!: string;
}

/** `data:` of `maintenance.started`: the monitor's newest check fell inside a maintenance window. */
export class MaintenanceStartedData {
  @Field({ type: 'string', format: 'uuid' }) monitorId!: string;
  @Field({ type: 'string', format: 'uuid', description: 'the window (GET /v1/maintenance-windows)' }) maintenanceWindowId!: string;
  @Field({ type: 'string', format: 'uuid', description: 'the first check inside it' }) checkId!: string;
  @Field({ type: 'string', format: 'date-time', description: 'when that check ran' }) startedAt!: string;
}

/** `data:` of `maintenance.ended`: the monitor's newest check fell outside the window it was in (ended or cancelled). */
export class MaintenanceEndedData {
  @Field({ type: 'string', format: 'uuid' }) monitorId!: string;
  @Field({ type: 'string', format: 'uuid' }) maintenanceWindowId!: string;
  @Field({ type: 'string', format: 'uuid', description: 'the first check outside it' }) checkId!: string;
  @Field({ type: 'string', format: 'date-time', description: 'when that check ran' }) endedAt!: string;
}

/** `data:` of `check.recorded` (only with `types=check.recorded`). */
export class CheckRecordedData {
  @Field({ type: 'string', format: 'uuid' }) monitorId!: string;
  @Field({ type: 'string', format: 'uuid' }) checkId!: string;
  @Field({ type: 'string', enum: ['up', 'down', 'error'] }) status!: string;
  @Field({ type: 'integer', required: false }) responseTimeMs?: number;
  @Field({ type: 'integer', required: false }) statusCode?: number;
  @Field({ type: 'string', required: false }) errorMessage?: string;
  @Field({ type: 'string', required: false }) region?: string;
  @Field({ type: 'string', format: 'date-time' }) checkedAt!: string;
}
