// The rate limiter the configuration selects: counters in Redis when REDIS_URL is set (replicas share
// them), in this process's memory otherwise.
import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Config } from '../config/config';
import { memoryRateLimiter, RATE_LIMITER, type RateLimiter } from './rate-limiter';

@Global()
@Module({})
export class RateLimitModule implements OnApplicationShutdown {
  constructor(@Inject(RATE_LIMITER) private readonly limiter: RateLimiter) {}

  static forRoot(config: Config): DynamicModule {
    return {
      module: RateLimitModule,
      // The routes' @RateLimit() guards inject it from here.
      // The Redis client is loaded only when REDIS_URL is set (require, not import: ~20 MB of memory).
      providers: [
        {
          provide: RATE_LIMITER,
          useFactory: () =>
            config.redisUrl
              ? (require('./redis-rate-limiter') as typeof import('./redis-rate-limiter')).redisRateLimiter(config.redisUrl, { keyPrefix: `${config.redisKeyPrefix}:rate-limit:` })
              : memoryRateLimiter(),
        },
      ],
      exports: [RATE_LIMITER],
    };
  }

  onApplicationShutdown() {
    return this.limiter.close();
  }
}
