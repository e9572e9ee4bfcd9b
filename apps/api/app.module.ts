import { Inject, Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { Logger } from 'pino';
import type { Config } from '../../libs/platform/config/config';
import { AuthGuard } from '../../libs/platform/http/auth.guard';
import { DocsController } from '../../libs/platform/http/docs.controller';
import { IdempotencyInterceptor } from '../../libs/platform/http/idempotency.interceptor';
import { OpenApiDocument } from '../../libs/platform/http/openapi-document';
import { ProblemFilter } from '../../libs/platform/http/problem.filter';
import { METRICS, type Metrics } from '../../libs/platform/observability/metrics';
import { ObservabilityModule } from '../../libs/platform/observability/observability.module';
import { PlatformModule } from '../../libs/platform/platform.module';
import { RateLimitModule } from '../../libs/platform/rate-limit/rate-limit.module';
import { ORGANIZATION_REPOSITORY } from '../../libs/organizations/application/injection-tokens';
import type { OrganizationRepository } from '../../libs/organizations/application/organization-repository';
import { OrganizationsModule } from '../../libs/organizations/organizations.module';
import { ActivityModule } from '../../libs/activity/activity.module';
import { HealthController } from './health.controller';
import { BackgroundModule } from './background.module';
import { ReadModelsModule } from './read-models.module';
import { MinPositionInterceptor } from '../../libs/platform/http/min-position.interceptor';

@Module({})
export class AppModule implements OnApplicationBootstrap {
  constructor(
    @Inject(ORGANIZATION_REPOSITORY) private readonly organizations: OrganizationRepository,
    @Inject(METRICS) private readonly metrics: Metrics,
  ) {}

  static forRoot(config: Config, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot(logger),
        PlatformModule.forRoot(config),
        ReadModelsModule.forRoot(config),
        RateLimitModule.forRoot(config),
        BackgroundModule.forRoot({ runWorker: config.jobs.apiRunsWorker }),
        OrganizationsModule,
        ActivityModule,
      ],
      controllers: [HealthController, DocsController],
      providers: [
        OpenApiDocument,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        { provide: APP_INTERCEPTOR, useClass: MinPositionInterceptor },
      ],
    };
  }

  /** Commands by type and outcome, with their concurrency retries, for GET /metrics. */
  onApplicationBootstrap() {
    this.organizations.onCommand((report) => this.metrics.observeCommand(report));
  }
}
