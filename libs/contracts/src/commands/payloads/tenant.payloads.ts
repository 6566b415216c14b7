import type { Plan } from '@vinsight/domain';
import { PLANS, TEXT_RULES } from '@vinsight/domain';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { DefaultTo, IsText, NormalizeText, SLUG_PATTERN, Trim } from '../wire-format.decorators';

export class CreateTenantPayloadDto {
  @NormalizeText()
  @IsString()
  @IsText(TEXT_RULES.tenantName)
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
  @NormalizeText()
  @IsString()
  @IsText(TEXT_RULES.tenantName)
  name!: string;
}

export class ChangeTenantPlanPayloadDto {
  @IsIn(PLANS)
  plan!: Plan;
}

export class DeactivateTenantPayloadDto {
  @IsOptional()
  @NormalizeText()
  @IsString()
  @IsText(TEXT_RULES.deactivationReason)
  reason?: string | null;
}

export class ReactivateTenantPayloadDto {}

export class DeleteTenantPayloadDto {}
