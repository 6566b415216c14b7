import { BooleanParam, CursorParam, LimitParam, TimestampParam, UuidParam } from '../../http/query-params';
import { Field } from '../../http/api-docs.decorators';

export class ListMonitorIncidentsQuery {
  @BooleanParam('only open (true) or resolved (false) incidents') open?: boolean;
  @LimitParam() limit: number = 50;
  @CursorParam() cursor?: string;
}

export class ListIncidentsQuery extends ListMonitorIncidentsQuery {
  @UuidParam("only this monitor's incidents") monitorId?: string;
  @TimestampParam('incidents started at or after this time') from?: Date;
  @TimestampParam('incidents started before this time') to?: Date;
}

export class IncidentView {
  @Field({ type: 'string', format: 'uuid' }) id!: string;
  @Field({ type: 'string', format: 'uuid' }) monitorId!: string;
  @Field({ type: 'string', format: 'date-time' }) startedAt!: string;
  @Field({ type: 'string', format: 'date-time', nullable: true, description: 'null while open' }) resolvedAt!: string | null;
  @Field({ type: 'number', description: 'until resolution, or until now while open' }) durationSeconds!: number;
  @Field({ type: 'string', nullable: true }) firstError!: string | null;
}

export class IncidentPage {
  @Field({ type: [IncidentView] }) data!: IncidentView[];
  @Field({ type: 'string', nullable: true, description: 'cursor of the next page; null on the last page' }) nextCursor!: string | null;
}
