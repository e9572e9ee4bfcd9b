// The read store the configuration selects, and the queries over it, for the API and the worker.
import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ACTIVITY_LOG_READER } from '../../libs/activity/application/activity-log.query';
import { LIST_QUERIES, ROSTER_QUERIES } from '../../libs/organizations/read-side/injection-tokens';
import type { Config } from '../../libs/platform/config/config';
import { READ_STORE } from '../../libs/platform/injection-tokens';
import type { ReadStore } from '../../libs/platform/read-store/read-store';
import { openReadStore, readModelQueries, type ReadModelQueries } from './read-models';

const QUERIES = Symbol('ReadModelQueries');

@Global()
@Module({})
export class ReadModelsModule implements OnApplicationShutdown {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  static forRoot(config: Pick<Config, 'dataDir' | 'mongodbUrl'>): DynamicModule {
    return {
      module: ReadModelsModule,
      providers: [
        { provide: READ_STORE, useFactory: () => openReadStore(config) },
        { provide: QUERIES, inject: [READ_STORE], useFactory: (store: ReadStore) => readModelQueries(store) },
        { provide: ROSTER_QUERIES, inject: [QUERIES], useFactory: (q: ReadModelQueries) => q.roster },
        { provide: LIST_QUERIES, inject: [QUERIES], useFactory: (q: ReadModelQueries) => q.lists },
        { provide: ACTIVITY_LOG_READER, inject: [QUERIES], useFactory: (q: ReadModelQueries) => q.activityLog },
      ],
      exports: [READ_STORE, ROSTER_QUERIES, LIST_QUERIES, ACTIVITY_LOG_READER],
    };
  }

  async onApplicationShutdown() {
    await this.readStore.close();
  }
}
