import { Field } from '../../http/api-docs.decorators';

export class TenantView {
  @Field({ type: 'string', format: 'uuid' }) id!: string;
  @Field({ type: 'string' }) name!: string;
  @Field({ type: 'string' }) slug!: string;
  @Field({ enum: ['free', 'pro', 'enterprise'] }) plan!: string;
  @Field({ type: 'boolean' }) isActive!: boolean;
  @Field({ type: 'string', format: 'date-time' }) createdAt!: string;
  @Field({ type: 'string', format: 'date-time' }) updatedAt!: string;
}
