import { BooleanParam, CursorParam, EnumParam, LimitParam, TextParam } from '../../http/query-params';
import { Field } from '../../http/api-docs.decorators';

export const MONITOR_STATUSES = ['up', 'down', 'unknown'] as const;

export class ListMonitorsQuery {
  @LimitParam() limit: number = 50;
  @CursorParam() cursor?: string;
  @EnumParam(MONITOR_STATUSES, 'only monitors in this status') status?: string;
  @BooleanParam('only active (true) or paused (false) monitors') active?: boolean;
  @TextParam(255, 'case-insensitive substring of the name') q?: string;
}

export class MonitorView {
  @Field({ type: 'string', format: 'uuid' }) id!: string;
  @Field({ type: 'string' }) name!: string;
  @Field({ type: 'string', format: 'uri' }) url!: string;
  @Field({ type: 'integer', description: 'seconds between checks' }) checkInterval!: number;
  @Field({ type: 'boolean', description: 'false while paused' }) isActive!: boolean;
  @Field({ enum: MONITOR_STATUSES }) status!: string;
  @Field({ type: 'string', format: 'date-time', nullable: true }) lastCheckedAt!: string | null;
  @Field({ type: 'integer', nullable: true }) lastResponseTimeMs!: number | null;
  @Field({
    type: 'boolean',
    description:
      'a maintenance window holds the monitor now (GET /v1/maintenance-windows): its checks are recorded in maintenance, move no status and open no incident',
  })
  inMaintenance!: boolean;
  @Field({
    type: 'string',
    format: 'uuid',
    nullable: true,
    description: 'that window (the earliest-starting one when several hold the monitor); null outside maintenance',
  })
  maintenanceWindowId!: string | null;
  @Field({ type: 'integer' }) version!: number;
  @Field({ type: 'string', format: 'date-time' }) createdAt!: string;
  @Field({ type: 'string', format: 'date-time' }) updatedAt!: string;
}

export class MonitorPage {
  @Field({ type: [MonitorView] }) data!: MonitorView[];
  @Field({ type: 'string', nullable: true, description: 'cursor of the next page; null on the last page' }) nextCursor!: string | null;
}
