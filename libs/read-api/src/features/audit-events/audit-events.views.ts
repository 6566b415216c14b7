import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { Field } from '../../http/api-docs.decorators';
import { CursorParam, LimitParam } from '../../http/query-params';

export class ListAuditEventsQuery {
  @ApiPropertyOptional({ type: 'string', description: 'only events of this type, e.g. MonitorCreated' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9._-]{0,99}$/, { message: 'must be an event type such as MonitorCreated' })
  type?: string;
  @LimitParam() limit: number = 50;
  @CursorParam() cursor?: string;
}

export class AuditEventView {
  @Field({ type: 'string', format: 'uuid' }) eventId!: string;
  @Field({ type: 'string', example: 'MonitorCreated' }) type!: string;
  @Field({ type: 'string', example: 'monitor' }) aggregateType!: string;
  @Field({ type: 'string', format: 'uuid' }) aggregateId!: string;
  @Field({ type: 'integer' }) version!: number;
  @Field({ type: 'string', format: 'date-time' }) occurredAt!: string;
  @Field({ type: 'string', format: 'uuid' }) commandId!: string;
  @Field({ type: 'string', format: 'uuid' }) correlationId!: string;
  @Field({ type: 'string', nullable: true }) issuedBy!: string | null;
}

export class AuditEventPage {
  @Field({ type: [AuditEventView] }) data!: AuditEventView[];
  @Field({ type: 'string', nullable: true, description: 'cursor of the next page; null on the last page' }) nextCursor!: string | null;
}
