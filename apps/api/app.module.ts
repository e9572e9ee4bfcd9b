import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { Config } from '../../libs/platform/config/config';
import { AuthGuard } from '../../libs/platform/http/auth.guard';
import { IdempotencyInterceptor } from '../../libs/platform/http/idempotency.interceptor';
import { ProblemFilter } from '../../libs/platform/http/problem.filter';
import { PlatformModule } from '../../libs/platform/platform.module';
import { OrganizationsModule } from '../../libs/organizations/organizations.module';
import { ActivityModule } from '../../libs/activity/activity.module';
import { HealthController } from './health.controller';
import { ReadSideModule } from './read-side.module';
import { MinPositionInterceptor } from '../../libs/platform/http/min-position.interceptor';

@Module({})
export class AppModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(config), ReadSideModule, OrganizationsModule, ActivityModule],
      controllers: [HealthController],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        { provide: APP_INTERCEPTOR, useClass: MinPositionInterceptor },
      ],
    };
  }
}
