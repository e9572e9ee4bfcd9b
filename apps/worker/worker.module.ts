import { Module, type DynamicModule } from '@nestjs/common';
import { BackgroundModule } from '../api/background.module';
import { ReadModelsModule } from '../api/read-models.module';
import type { Config } from '../../libs/platform/config/config';
import { PlatformModule } from '../../libs/platform/platform.module';
import { OrganizationsCoreModule } from '../../libs/organizations/organizations-core.module';

/** The worker: projections, the invitation reactor, job processors and the expiry sweep; no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: WorkerModule,
      imports: [PlatformModule.forRoot(config), ReadModelsModule.forRoot(config), OrganizationsCoreModule, BackgroundModule.forRoot({ runWorker: true, leased: config.redisUrl !== null })],
    };
  }
}
