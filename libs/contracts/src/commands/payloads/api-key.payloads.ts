import { TEXT_RULES } from '@vinsight/domain';
import { IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { IsIsoDateTime, IsText, NormalizeText, NormalizeUuid, SHA256_HEX_PATTERN } from '../wire-format.decorators';

export class IssueApiKeyPayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  apiKeyId!: string;

  @NormalizeText()
  @IsString()
  @IsText(TEXT_RULES.apiKeyName)
  name!: string;

  /** SHA-256 of the secret token; the token itself never travels. */
  @IsString()
  @Matches(SHA256_HEX_PATTERN, { message: 'tokenSha256 must be 64 lower-case hexadecimal characters' })
  tokenSha256!: string;

  @IsOptional()
  @IsIsoDateTime()
  expiresAt?: string | null;
}

export class RevokeApiKeyPayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  apiKeyId!: string;
}
