import type { Weekday } from '@vinsight/domain';
import { MAINTENANCE_LIMITS, START_TIME_PATTERN, TEXT_RULES, WEEKDAYS, isIanaTimeZone } from '@vinsight/domain';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { JSONSchema, targetConstructorToSchema } from 'class-validator-jsonschema';
import { IsIsoDateTime, IsText, NormalizeText, NormalizeUuid } from '../wire-format.decorators';

const IsIanaTimeZone = (): PropertyDecorator =>
  ValidateBy({
    name: 'isIanaTimeZone',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isIanaTimeZone(value),
      defaultMessage: () => 'timezone must be an IANA time zone name, e.g. Europe/Paris or UTC',
    },
  });

export class WeeklyRecurrenceDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEEKDAYS.length)
  @ArrayUnique()
  @IsIn(WEEKDAYS, { each: true })
  daysOfWeek!: Weekday[];

  /** On the wall clock of `timezone`. */
  @IsString()
  @Matches(START_TIME_PATTERN, { message: 'startTime must be HH:MM on a 24-hour clock' })
  startTime!: string;

  @IsInt()
  @Min(1)
  @Max(MAINTENANCE_LIMITS.maxOccurrenceMinutes)
  durationMinutes!: number;

  @IsString()
  @MaxLength(64)
  @IsIanaTimeZone()
  timezone!: string;
}

export class ScheduleMaintenancePayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  maintenanceWindowId!: string;

  /** Absent: every monitor of the tenant. */
  @IsOptional()
  @NormalizeUuid()
  @IsUUID('all')
  monitorId?: string | null;

  @IsOptional()
  @NormalizeText()
  @IsString()
  @IsText(TEXT_RULES.maintenanceTitle)
  title?: string | null;

  @IsIsoDateTime()
  startsAt!: string;

  /** Required without recurrence: checked by the command registry. */
  @IsOptional()
  @IsIsoDateTime()
  endsAt?: string | null;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => WeeklyRecurrenceDto)
  // Inline rather than a $ref: each command's schema stands alone.
  @JSONSchema((_generated, options) => ({
    ...targetConstructorToSchema(WeeklyRecurrenceDto, options),
    type: 'object',
    additionalProperties: false,
  }))
  recurrence?: WeeklyRecurrenceDto | null;
}

export class CancelMaintenancePayloadDto {
  @NormalizeUuid()
  @IsUUID('all')
  maintenanceWindowId!: string;
}
