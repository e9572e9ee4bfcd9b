// The answers' shapes, for OpenAPI only (the handlers return plain objects of these shapes).
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ACTIVITY_LOG_TYPES } from '../application/activity-log.projection';

@ApiSchema({ name: 'ActivityAccepted' })
export class ActivityAcceptedDto {
  @ApiProperty({ type: 'integer', description: 'Items accepted (an item id seen before is accepted but counted once)' })
  accepted!: number;
}

@ApiSchema({ name: 'ActivityLogEntry' })
export class ActivityLogEntryDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ACTIVITY_LOG_TYPES }) type!: string;
  @ApiProperty({ type: String, nullable: true }) actorId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The name the actor had then' }) actorName!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: unknown;
}
