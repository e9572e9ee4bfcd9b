// The same fixed windows in Redis, so that every API replica counts against one limit. INCR and the
// expiry run in one Lua script: atomic, one round trip, and a key never outlives its window (a key
// found without an expiry, e.g. after a failed PEXPIRE, gets one).
import { Redis } from 'ioredis';
import { decision, type RateLimiter } from './rate-limiter';

const HIT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

type WithHit = Redis & { rateLimitHit(key: string, windowMs: number): Promise<[number, number]> };

export function redisRateLimiter(redisUrl: string, options: { keyPrefix?: string } = {}): RateLimiter {
  // Fail fast: a request waits at most a second for the limiter (the guard then lets it through).
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 1000, lazyConnect: true }) as WithHit;
  redis.on('error', () => undefined); // reported per request by the caller; keeps ioredis from printing
  redis.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT });
  const prefix = options.keyPrefix ?? 'team:rate-limit:';

  return {
    async hit(key, limit, windowMs) {
      const [count, msLeft] = await redis.rateLimitHit(prefix + key, windowMs);
      return decision(count, limit, msLeft);
    },
    async close() {
      redis.disconnect();
    },
  };
}
