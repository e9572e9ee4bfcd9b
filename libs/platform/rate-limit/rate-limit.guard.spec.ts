// The guard's decisions, with stand-in limiters: counted under the policy's key, refused past the
// limit with Retry-After, and let through when the limiter itself fails (Redis down).
import { Reflector } from '@nestjs/core';
import { Logger, type ExecutionContext } from '@nestjs/common';
import { loadConfig } from '../config/config';
import { ApiError } from '../http/problem';
import { createMetrics } from '../observability/metrics';
import { decision, type RateLimiter } from './rate-limiter';
import { RateLimit, RateLimitGuard, type RateLimitPolicy } from './rate-limit.guard';

const policy: RateLimitPolicy = { name: 'things', limit: () => 2, windowMs: 60_000, key: (r) => r.ip, detail: 'too many things' };

class Routes {
  @RateLimit(policy)
  limited() {}

  unlimited() {}
}

const contextFor = (handler: keyof Routes) =>
  ({
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => ({ ip: '198.51.100.7', params: {} }) }),
  }) as unknown as ExecutionContext;

function guardWith(limiter: RateLimiter) {
  const metrics = createMetrics();
  const config = loadConfig({ DATA_DIR: '/tmp/unused', AUTH_JWT_SECRET: 'x'.repeat(32), INVITATION_SECRET: 'y'.repeat(32) });
  return { guard: new RateLimitGuard(new Reflector(), limiter, config, metrics), metrics };
}

describe('RateLimitGuard', () => {
  it('counts under the policy name and key, and refuses past the limit with Retry-After', async () => {
    const keys: string[] = [];
    let count = 0;
    const { guard, metrics } = guardWith({ hit: async (key, limit) => (keys.push(key), decision(++count, limit, 42_500)), close: async () => {} });
    await expect(guard.canActivate(contextFor('limited'))).resolves.toBe(true);
    await expect(guard.canActivate(contextFor('limited'))).resolves.toBe(true);
    const refusal = await guard.canActivate(contextFor('limited')).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({ code: 'rate_limited', message: 'too many things', headers: { 'retry-after': '43' } });
    expect(keys).toEqual(['things:198.51.100.7', 'things:198.51.100.7', 'things:198.51.100.7']);
    expect(await metrics.registry.metrics()).toContain('rate_limited_total{limit="things"} 1');
  });

  it('lets every request through when the limiter fails, and says so once rather than per request', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const { guard } = guardWith({ hit: () => Promise.reject(new Error('connection refused')), close: async () => {} });
      for (let i = 0; i < 5; i++) await expect(guard.canActivate(contextFor('limited'))).resolves.toBe(true);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toContain('connection refused');
    } finally {
      warn.mockRestore();
    }
  });

  it('leaves routes without a policy alone', async () => {
    const hit = jest.fn();
    const { guard } = guardWith({ hit, close: async () => {} });
    await expect(guard.canActivate(contextFor('unlimited'))).resolves.toBe(true);
    expect(hit).not.toHaveBeenCalled();
  });
});
