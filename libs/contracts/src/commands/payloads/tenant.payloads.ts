import type { Plan } from '@vinsight/domain';
import { PLANS } from '@vinsight/domain';
import { IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { DefaultTo, SLUG_PATTERN, Trim } from '../wire-format.decorators';

export class CreateTenantPayloadDto {
  @Trim()
  @IsString()
  @Length(1, 255)
  name!: string;

  /** Unique across all tenants: checked by the processor's reservation, not by the DTO. */
  @Trim()
  @IsString()
  @Length(3, 100)
  @Matches(SLUG_PATTERN, { message: 'slug must be lower-case letters and digits in groups joined by single hyphens' })
  slug!: string;

  @DefaultTo('free')
  @IsIn(PLANS)
  plan: Plan = 'free';
}

export class RenameTenantPayloadDto {
  @Trim()
  @IsString()
  @Length(1, 255)
  name!: string;
}

export class ChangeTenantPlanPayloadDto {
  @IsIn(PLANS)
  plan!: Plan;
}

export class DeactivateTenantPayloadDto {
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(500)
  reason?: string | null;
}

export class ReactivateTenantPayloadDto {}

export class DeleteTenantPayloadDto {}
