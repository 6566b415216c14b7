import { Transform } from 'class-transformer';
import { TEXT_RULES } from '@vinsight/domain';
import { Allow, IsInt, IsOptional, IsString, IsUUID, Matches, Min } from 'class-validator';
import { IsIsoDateTime, IsText, LOWERCASE_UUID_PATTERN, NormalizeText } from './wire-format.decorators';

/**
 * The envelope of asyncapi.yaml, CommandEnvelope. Unknown envelope fields are ignored (stripped), unlike unknown
 * payload fields: the envelope is transport, where producers' libraries may add their own
 * fields (trace ids, schema versions), while the payload is the caller's intent.
 */
export class CommandEnvelopeDto {
  @IsUUID('all')
  commandId!: string;

  @IsString()
  type!: string;

  /**
   * Also the Kafka message key, and so the partition and the single writer of the tenant. An
   * upper-case spelling of the same UUID hashes to another partition, which would put a second
   * writer on the tenant; the canonical lower-case form is therefore required here.
   */
  @Matches(LOWERCASE_UUID_PATTERN, { message: 'tenantId must be a UUID in lower case (it is the partition key)' })
  @IsString()
  tenantId!: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  expectedVersion?: number | null;

  @IsOptional()
  @IsUUID('all')
  correlationId?: string | null;

  @IsOptional()
  @NormalizeText()
  @IsString()
  @IsText(TEXT_RULES.issuedBy)
  issuedBy?: string | null;

  @IsOptional()
  @IsIsoDateTime()
  issuedAt?: string | null;

  /** Validated against the type's payload class; absent or null reads as `{}`. */
  @Allow()
  @Transform(({ value }: { value: unknown }) => value ?? {})
  payload: unknown = {};
}
