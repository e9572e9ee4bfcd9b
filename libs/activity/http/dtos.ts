// The body of POST /orgs/:orgId/activity. Shapes are checked here with the domain's own predicates
// (so a bad field is reported with its name, e.g. `items.3.type`); who may record what is the
// domain's (record-activity.ts). Unknown fields, at the top or in an item, are refused.
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { ACTIVITY_TYPES } from '../domain/events';
import {
  isActivityType,
  isActorId,
  isItemId,
  isOccurredAt,
  isSubject,
  MAX_ACTOR_ID_LENGTH,
  MAX_ITEM_ID_LENGTH,
  MAX_ITEMS,
  MAX_SUBJECT_LENGTH,
  MIN_ITEMS,
  type ActivityItemInput,
} from '../domain/record-activity';

const constraint = (name: string, validate: (value: unknown) => boolean, message: string) => {
  @ValidatorConstraint({ name })
  class Check implements ValidatorConstraintInterface {
    validate = validate;
    defaultMessage = () => message;
  }
  return Check;
};

const ActivityTypeCheck = constraint('activityType', isActivityType, `must be one of ${Object.keys(ACTIVITY_TYPES).join(', ')}`);
const ItemIdCheck = constraint('itemId', isItemId, `must be a string of 1 to ${MAX_ITEM_ID_LENGTH} characters`);
const OccurredAtCheck = constraint('occurredAt', isOccurredAt, 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-29T10:00:00.000Z');
const SubjectCheck = constraint('subject', isSubject, `must be a string of at most ${MAX_SUBJECT_LENGTH} characters`);
const ActorIdCheck = constraint('actorId', isActorId, `must be a user id of 1 to ${MAX_ACTOR_ID_LENGTH} characters`);

/** Optional fields may be absent, but not null: null is not a string. */
const present = (field: keyof ActivityItemInput) => ValidateIf((item: ActivityItemInput) => item[field] !== undefined);

@ApiSchema({ name: 'ActivityItem' })
export class ActivityItemDto implements ActivityItemInput {
  @ApiProperty({ enum: Object.keys(ACTIVITY_TYPES) })
  @Validate(ActivityTypeCheck)
  type!: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: MAX_ITEM_ID_LENGTH, description: 'An id seen before in this organization is counted once' })
  @present('id')
  @Validate(ItemIdCheck)
  id?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When it happened (default: when recorded)' })
  @present('occurredAt')
  @Validate(OccurredAtCheck)
  occurredAt?: string;

  @ApiPropertyOptional({ maxLength: MAX_SUBJECT_LENGTH })
  @present('subject')
  @Validate(SubjectCheck)
  subject?: string;

  @ApiPropertyOptional({ maxLength: MAX_ACTOR_ID_LENGTH, description: "Required with a service token; otherwise absent or the caller's sub" })
  @present('actorId')
  @Validate(ActorIdCheck)
  actorId?: string;
}

@ApiSchema({ name: 'RecordActivity' })
export class RecordActivityDto {
  @ApiProperty({ type: [ActivityItemDto], minItems: MIN_ITEMS, maxItems: MAX_ITEMS })
  @IsArray()
  @ArrayMinSize(MIN_ITEMS)
  @ArrayMaxSize(MAX_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => ActivityItemDto)
  items!: ActivityItemDto[];
}
