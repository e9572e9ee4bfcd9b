// Logs and metrics of the process. The gauges read whatever parts this process runs (the API runs
// the event store, the projection runner and the job queue; a worker may run only some of them).
import { Global, Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Logger } from 'pino';
import type { EventStore } from '../event-store/event-store';
import { EVENT_STORE, JOB_QUEUE, PROJECTION_RUNNER } from '../injection-tokens';
import type { JobQueue } from '../jobs/job-queue';
import { loggerModule, NestLogger } from './logging';
import { MetricsController } from './metrics.controller';
import { createMetrics, METRICS, type Metrics } from './metrics';

export const ROOT_LOGGER = Symbol('RootLogger');

@Global()
@Module({})
export class ObservabilityModule implements OnApplicationBootstrap {
  constructor(private readonly moduleRef: ModuleRef) {}

  static forRoot(logger: Logger): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [loggerModule(logger)],
      controllers: [MetricsController],
      providers: [
        { provide: ROOT_LOGGER, useValue: logger },
        NestLogger,
        { provide: METRICS, useFactory: createMetrics },
      ],
      exports: [ROOT_LOGGER, METRICS, NestLogger],
    };
  }

  onApplicationBootstrap() {
    const metrics = this.moduleRef.get<Metrics>(METRICS);
    const store = this.optional<EventStore>(EVENT_STORE);
    const runner = this.optional<{ position(): number }>(PROJECTION_RUNNER);
    const queue = this.optional<JobQueue>(JOB_QUEUE);
    if (store) {
      metrics.gauge('event_store_head_position', 'Position of the last appended event', [], async (set) => set(await store.headPosition()));
    }
    if (store && runner) {
      metrics.gauge('projection_lag_positions', 'Positions the read models are behind the event store', [], async (set) =>
        set(Math.max(0, (await store.headPosition()) - runner.position())),
      );
    }
    if (queue) {
      metrics.gauge('jobs', 'Background jobs by state', ['state'], async (set) => {
        for (const [state, count] of Object.entries(await queue.counts())) set(count, { state });
      });
    }
  }

  /** A provider of this process, or undefined when this process does not run that part. */
  private optional<T>(token: symbol): T | undefined {
    try {
      return this.moduleRef.get<T>(token, { strict: false });
    } catch {
      return undefined;
    }
  }
}
