import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { TEXT_RULES } from '@vinsight/domain';

export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// eslint-disable-next-line no-control-regex -- NUL is the one character Postgres text cannot hold
const NO_NUL = /^[^\u0000]*$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value);
const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);
const toTimestamp = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string' || !ISO_TIMESTAMP.test(value)) return value;
  const date = new Date(value);
  // Postgres timestamps stop at year 294276 but JavaScript's Dates and the contract's clients
  // live in years 1970-9999; anything outside is a client mistake, not a query.
  return Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1970 || date.getUTCFullYear() > 9999 ? value : date;
};

/** `limit`: 1-500, default 50 (openapi.yaml). */
export function LimitParam() {
  return applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50, description: 'page size' }),
    Transform(toInt),
    IsInt({ message: 'must be an integer between 1 and 500' }),
    Min(1, { message: 'must be an integer between 1 and 500' }),
    Max(500, { message: 'must be an integer between 1 and 500' }),
  );
}

export function CursorParam() {
  return applyDecorators(
    ApiPropertyOptional({ type: 'string', description: 'opaque cursor: the nextCursor of the previous page' }),
    IsOptional(),
    IsString(),
    MaxLength(512),
    Matches(/^[A-Za-z0-9_-]+$/, { message: 'is not a cursor of this list' }),
  );
}

export function BooleanParam(description: string) {
  return applyDecorators(
    ApiPropertyOptional({ type: 'boolean', description }),
    IsOptional(),
    Transform(toBool),
    IsBoolean({ message: 'must be true or false' }),
  );
}

export function EnumParam(values: readonly string[], description: string) {
  return applyDecorators(
    ApiPropertyOptional({ enum: values, description }),
    IsOptional(),
    IsIn(values as string[], { message: `must be one of ${values.join(', ')}` }),
  );
}

export function TimestampParam(description: string) {
  return applyDecorators(
    ApiPropertyOptional({ type: 'string', format: 'date-time', description }),
    IsOptional(),
    Transform(toTimestamp),
    ValidateBy({
      name: 'isTimestamp',
      validator: {
        validate: (value) => value instanceof Date,
        defaultMessage: () => 'must be an ISO-8601 date-time with a time zone, between years 1970 and 9999',
      },
    }),
  );
}

export function TextParam(maxLength: number, description: string) {
  return applyDecorators(
    ApiPropertyOptional({ type: 'string', maxLength, description }),
    IsOptional(),
    IsString(),
    MaxLength(maxLength),
    Matches(NO_NUL, { message: 'must not contain NUL characters' }),
  );
}

export function UuidParam(description: string) {
  return applyDecorators(
    ApiPropertyOptional({ type: 'string', format: 'uuid', description }),
    IsOptional(),
    IsString(),
    Matches(UUID_PATTERN, { message: 'must be a UUID' }),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value)),
  );
}

/** A path id that is not a UUID cannot name any row: the resource is simply not found. */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** `region`: where checks ran (RecordCheckResult's region), in any case; recorded and compared in lower case. */
export function RegionParam(description: string) {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'string',
      maxLength: TEXT_RULES.checkRegion.max,
      example: 'eu-west',
      description,
    }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value)),
    IsString({ message: 'must be one region, e.g. eu-west' }),
    MaxLength(TEXT_RULES.checkRegion.max),
  );
}
