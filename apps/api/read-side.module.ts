// The read side of the embedded default: every projection of ./projections.ts (organizations, roster,
// invitations, activityLogProjection), fed by one runner in this process.
import { Global, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type Database from 'better-sqlite3';
import type { EventStore } from '../../libs/platform/event-store/event-store';
import { EVENT_STORE, PROJECTION_RUNNER, READ_DB } from '../../libs/platform/injection-tokens';
import { projectionRunner, type ProjectionRunner } from '../../libs/platform/projections/projection-runner';
import { PROJECTIONS } from './projections';

@Global()
@Module({
  providers: [
    {
      provide: PROJECTION_RUNNER,
      inject: [EVENT_STORE, READ_DB],
      useFactory: (store: EventStore, db: Database.Database) => projectionRunner(store, db, PROJECTIONS),
    },
  ],
  exports: [PROJECTION_RUNNER],
})
export class ReadSideModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner) {}

  /** Catches up before the server accepts requests, then follows new events. */
  onApplicationBootstrap() {
    return this.runner.start();
  }

  onApplicationShutdown() {
    return this.runner.stop();
  }
}
