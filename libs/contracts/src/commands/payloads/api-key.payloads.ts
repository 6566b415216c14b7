import { IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { IsIsoDateTime, NormalizeUuid, SHA256_HEX_PATTERN, Trim } from '../wire-format.decorators';

export class IssueApiKeyPayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  apiKeyId!: string;

  @Trim()
  @IsString()
  @Length(1, 100)
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
