// @RateLimit(policy) on a route: counts the request against the policy's limit once the caller is
// authenticated (the global AuthGuard runs first, so anonymous requests to protected routes are not
// counted) and before the handler runs; past the limit, 429 rate_limited with Retry-After.
import { applyDecorators, Inject, Injectable, Logger, SetMetadata, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Config } from '../config/config';
import { CONFIG } from '../injection-tokens';
import type { AuthenticatedRequest } from '../http/caller';
import { ApiProblemResponses } from '../http/openapi';
import { ApiError } from '../http/problem';
import { METRICS, type Metrics } from '../observability/metrics';
import { RATE_LIMITER, type RateLimiter } from './rate-limiter';

export type RateLimitPolicy = {
  /** Names the counters (and the metric label). */
  name: string;
  limit: (config: Config) => number;
  windowMs: number;
  /** What is counted: an organization, a client address. */
  key: (request: AuthenticatedRequest) => string;
  /** The problem's detail. */
  detail: string;
};

const RATE_LIMIT_POLICY = 'rateLimitPolicy';

export const RateLimit = (policy: RateLimitPolicy) =>
  applyDecorators(SetMetadata(RATE_LIMIT_POLICY, policy), UseGuards(RateLimitGuard), ApiProblemResponses(429));

@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = new Logger('RateLimit');
  private warnedAt = 0;

  constructor(
    private readonly reflector: Reflector,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(METRICS) private readonly metrics: Metrics,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.get<RateLimitPolicy | undefined>(RATE_LIMIT_POLICY, context.getHandler());
    if (!policy) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    let verdict;
    try {
      verdict = await this.limiter.hit(`${policy.name}:${policy.key(request)}`, policy.limit(this.config), policy.windowMs);
    } catch (error) {
      // A limiter that does not answer (Redis down) must not take the API down with it. One warning
      // per 10 s, not one per request.
      if (Date.now() - this.warnedAt > 10_000) {
        this.warnedAt = Date.now();
        this.logger.warn(`rate limits not checked while the limiter fails (requests let through): ${(error as Error).message}`);
      }
      return true;
    }
    if (verdict.allowed) return true;
    this.metrics.rateLimited.inc({ limit: policy.name });
    throw new ApiError('rate_limited', policy.detail, undefined, { 'retry-after': String(verdict.retryAfterSeconds) });
  }
}
