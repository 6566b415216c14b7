import type { UserRole } from '@vinsight/domain';
import { TEXT_RULES, USER_ROLES } from '@vinsight/domain';
import { IsIn, IsString, IsUUID, Matches } from 'class-validator';
import {
  BCRYPT_HASH_PATTERN,
  DefaultTo,
  IsEmailText,
  IsIsoDateTime,
  IsText,
  NormalizeText,
  NormalizeUuid,
  Trim,
} from '../wire-format.decorators';

export class RegisterUserPayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  userId!: string;

  @NormalizeText()
  @IsString()
  @IsText(TEXT_RULES.email)
  @IsEmailText()
  email!: string;

  /** Only a bcrypt hash: a plaintext password never travels on Kafka. */
  @Trim()
  @IsString()
  @Matches(BCRYPT_HASH_PATTERN, { message: 'passwordHash must be a bcrypt hash ($2a$, $2b$ or $2y$)' })
  passwordHash!: string;

  @DefaultTo('user')
  @IsIn(USER_ROLES)
  role: UserRole = 'user';
}

export class ChangeUserRolePayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  userId!: string;

  @IsIn(USER_ROLES)
  role!: UserRole;
}

export class DeactivateUserPayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  userId!: string;
}

export class ReactivateUserPayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  userId!: string;
}

export class RecordUserLoginPayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  userId!: string;

  @IsIsoDateTime()
  at!: string;
}

export class RemoveUserPayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  userId!: string;
}

export class EraseUserPayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  userId!: string;
}
