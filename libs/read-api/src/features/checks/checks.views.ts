import { CHECK_STATUSES } from '@vinsight/domain';
import { CursorParam, EnumParam, LimitParam, RegionParam, TimestampParam } from '../../http/query-params';
import { Field } from '../../http/api-docs.decorators';

export class ListChecksQuery {
  @TimestampParam('checks at or after this time') from?: Date;
  @TimestampParam('checks before this time') to?: Date;
  @EnumParam(CHECK_STATUSES, 'only checks with this outcome') status?: string;
  @RegionParam('only checks that ran in this region') region?: string;
  @LimitParam() limit: number = 50;
  @CursorParam() cursor?: string;
}

export class CheckView {
  @Field({ type: 'string', format: 'uuid' }) id!: string;
  @Field({ enum: CHECK_STATUSES }) status!: string;
  @Field({ type: 'integer', nullable: true }) responseTimeMs!: number | null;
  @Field({ type: 'integer', nullable: true }) statusCode!: number | null;
  @Field({ type: 'string', nullable: true }) errorMessage!: string | null;
  @Field({ type: 'string', nullable: true }) region!: string | null;
  @Field({ type: 'string', format: 'date-time' }) checkedAt!: string;
  @Field({ type: 'boolean', description: 'inside a maintenance window: no status change, left out of uptime' }) inMaintenance!: boolean;
}

export class CheckPage {
  @Field({ type: [CheckView] }) data!: CheckView[];
  @Field({ type: 'string', nullable: true, description: 'cursor of the next page; null on the last page' }) nextCursor!: string | null;
}
