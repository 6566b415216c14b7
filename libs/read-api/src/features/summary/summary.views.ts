import { Field } from '../../http/api-docs.decorators';

export class MonitorCountsView {
  @Field({ type: 'integer', description: 'monitors not deleted' }) total!: number;
  @Field({ type: 'integer', description: 'active monitors whose last check was up' }) up!: number;
  @Field({ type: 'integer', description: 'active monitors whose last check was down or an error' }) down!: number;
  @Field({ type: 'integer', description: 'active monitors not checked yet' }) unknown!: number;
  @Field({ type: 'integer', description: 'paused monitors' }) paused!: number;
}

export class SummaryView {
  @Field({ type: MonitorCountsView }) monitors!: MonitorCountsView;
  @Field({ type: 'integer' }) openIncidents!: number;
}
