import type { CheckStatus } from '@vinsight/domain';
import { CHECK_STATUSES, TEXT_RULES } from '@vinsight/domain';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, IsUUID, Max, Min } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { DefaultTo, IsIsoDateTime, IsText, IsUrlText, NormalizeText, NormalizeUuid } from '../wire-format.decorators';

/** The URLs a monitor checks: IsUrlText's options here, and the compiled validation's `uri` format. */
export const HTTP_URL = {
  protocols: ['http', 'https'],
  require_protocol: true,
  require_valid_protocol: true,
  require_host: true,
  // Internal monitors (and local test targets) are addressed by plain host names and IPs.
  require_tld: false,
};
const HTTP_URL_MESSAGE = { message: 'url must be an absolute http or https URL' };

export const MIN_CHECK_INTERVAL_SECONDS = 10;
export const MAX_CHECK_INTERVAL_SECONDS = 86_400;
export const DEFAULT_CHECK_INTERVAL_SECONDS = 300;

export class CreateMonitorPayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  monitorId!: string;

  @NormalizeText()
  @IsString()
  @IsText(TEXT_RULES.monitorName)
  name!: string;

  @NormalizeText()
  @IsString()
  @IsText(TEXT_RULES.monitorUrl)
  @IsUrlText(HTTP_URL, HTTP_URL_MESSAGE)
  url!: string;

  /** Seconds. The plan's own minimum is a business rule: the domain answers PLAN_LIMIT_EXCEEDED. */
  @DefaultTo(DEFAULT_CHECK_INTERVAL_SECONDS)
  @IsInt()
  @Min(MIN_CHECK_INTERVAL_SECONDS)
  @Max(MAX_CHECK_INTERVAL_SECONDS)
  checkInterval: number = DEFAULT_CHECK_INTERVAL_SECONDS;
}

/** At least one of name, url, checkInterval: checked by the command registry. */
@JSONSchema({ anyOf: [{ required: ['name'] }, { required: ['url'] }, { required: ['checkInterval'] }] })
export class UpdateMonitorPayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  monitorId!: string;

  @IsOptional()
  @NormalizeText()
  @IsString()
  @IsText(TEXT_RULES.monitorName)
  name?: string | null;

  @IsOptional()
  @NormalizeText()
  @IsString()
  @IsText(TEXT_RULES.monitorUrl)
  @IsUrlText(HTTP_URL, HTTP_URL_MESSAGE)
  url?: string | null;

  @IsOptional()
  @IsInt()
  @Min(MIN_CHECK_INTERVAL_SECONDS)
  @Max(MAX_CHECK_INTERVAL_SECONDS)
  checkInterval?: number | null;
}

export class PauseMonitorPayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  monitorId!: string;
}

export class ResumeMonitorPayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  monitorId!: string;
}

export class DeleteMonitorPayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  monitorId!: string;
}

export class RecordCheckResultPayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  monitorId!: string;

  /** The check's idempotency key. */
  @NormalizeUuid()
  @IsUUID('all')
  checkId!: string;

  @IsIn(CHECK_STATUSES)
  status!: CheckStatus;

  /** Fractions are accepted (timers measure them) and rounded to whole milliseconds. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(600_000)
  responseTimeMs?: number | null;

  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(599)
  statusCode?: number | null;

  @IsOptional()
  @NormalizeText()
  @IsString()
  @IsText(TEXT_RULES.checkErrorMessage)
  errorMessage?: string | null;

  /** At most 5 minutes ahead of the processor's clock: a rule of the domain, which owns the clock. */
  @IsIsoDateTime()
  checkedAt!: string;

  @IsOptional()
  @NormalizeText()
  @IsString()
  @IsText(TEXT_RULES.checkRegion)
  region?: string | null;
}
