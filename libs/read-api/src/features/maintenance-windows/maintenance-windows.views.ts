import { WEEKDAYS } from '@vinsight/domain';
import { Field } from '../../http/api-docs.decorators';
import { BooleanParam, CursorParam, LimitParam, UuidParam } from '../../http/query-params';

export class ListMaintenanceWindowsQuery {
  @UuidParam("only the windows that cover this monitor: its own and the tenant's windows for every monitor") monitorId?: string;
  @BooleanParam('only windows not cancelled and not ended (true), or only the others (false)') active?: boolean;
  @LimitParam() limit: number = 50;
  @CursorParam() cursor?: string;
}

export class WeeklyRecurrenceView {
  @Field({ type: 'array', items: { type: 'string', enum: [...WEEKDAYS] } }) daysOfWeek!: string[];
  @Field({ type: 'string', example: '02:00', description: 'HH:MM on the wall clock of `timezone`' }) startTime!: string;
  @Field({ type: 'integer', description: 'elapsed minutes of each occurrence' }) durationMinutes!: number;
  @Field({ type: 'string', example: 'Europe/Paris', description: 'IANA time zone' }) timezone!: string;
}

export class MaintenanceOccurrenceView {
  @Field({ type: 'string', format: 'date-time' }) start!: string;
  @Field({ type: 'string', format: 'date-time', description: 'exclusive' }) end!: string;
}

export class MaintenanceWindowView {
  @Field({ type: 'string', format: 'uuid' }) id!: string;
  @Field({ type: 'string', format: 'uuid', nullable: true, description: 'null: every monitor of the tenant' }) monitorId!: string | null;
  @Field({ type: 'string', nullable: true }) title!: string | null;
  @Field({ type: 'string', format: 'date-time' }) startsAt!: string;
  @Field({ type: 'string', format: 'date-time', nullable: true, description: 'null: a recurrence without end' }) endsAt!: string | null;
  @Field({ type: WeeklyRecurrenceView, nullable: true, description: 'null: one window from startsAt to endsAt' })
  recurrence!: WeeklyRecurrenceView | null;
  @Field({ type: 'string', format: 'date-time', nullable: true, description: 'checks after it are not in maintenance' })
  cancelledAt!: string | null;
  @Field({ type: 'boolean', description: 'not cancelled and not ended' }) active!: boolean;
  @Field({ type: MaintenanceOccurrenceView, nullable: true, description: 'the occurrence in progress now, if any' })
  currentOccurrence!: MaintenanceOccurrenceView | null;
  @Field({ type: 'integer' }) version!: number;
  @Field({ type: 'string', format: 'date-time' }) createdAt!: string;
  @Field({ type: 'string', format: 'date-time' }) updatedAt!: string;
}

export class MaintenanceWindowPage {
  @Field({ type: [MaintenanceWindowView] }) data!: MaintenanceWindowView[];
  @Field({ type: 'string', nullable: true, description: 'cursor of the next page; null on the last page' }) nextCursor!: string | null;
}
