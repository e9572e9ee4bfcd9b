// Activity: recording what members did elsewhere in the product, and the activity log.
// The read database, the event store and the projection runner are global (platform and read side);
// the app registers `activityLogProjection` with the runner.
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { OrganizationsModule } from '../organizations/organizations.module';
import { GetActivityLogHandler } from './application/activity-log.query';
import { RecordActivityHandler } from './application/record-activity.handler';
import { ActivityController } from './http/activity.controller';

@Module({
  imports: [CqrsModule, OrganizationsModule],
  controllers: [ActivityController],
  providers: [RecordActivityHandler, GetActivityLogHandler],
})
export class ActivityModule {}
