// The idempotency store in Redis (when REDIS_URL is set), so that a retry that reaches another API
// replica still replays the first answer. One key per (caller, Idempotency-Key), expiring after 24 h.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { IDEMPOTENCY_TTL_MS, type IdempotencyStore, type StoredResponse } from './idempotency-store';

type Entry = StoredResponse & { createdAt: number };

export function redisIdempotencyStore(redisUrl: string, options: { keyPrefix?: string } = {}): IdempotencyStore {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 2000, lazyConnect: true });
  redis.on('error', () => undefined); // a failed command rejects the request that needed it
  const prefix = options.keyPrefix ?? 'team:idempotency:';
  // Hashed: bounded key length whatever the caller id and key, and no user ids in key names.
  const keyOf = (caller: string, key: string) => prefix + createHash('sha256').update(JSON.stringify([caller, key])).digest('base64url');
  /** Live for `now`: Redis expires entries on its own clock; the check keeps the port's meaning exact. */
  const live = (entry: Entry | null, now: Date): entry is Entry => entry !== null && entry.createdAt > now.getTime() - IDEMPOTENCY_TTL_MS;
  const read = async (k: string): Promise<Entry | null> => {
    const raw = await redis.get(k);
    return raw === null ? null : (JSON.parse(raw) as Entry);
  };

  return {
    async get(caller, key, now) {
      const entry = await read(keyOf(caller, key));
      if (!live(entry, now)) return null;
      const { createdAt: _, ...response } = entry;
      return response;
    },
    async put(caller, key, response, now) {
      const k = keyOf(caller, key);
      const value = JSON.stringify({ ...response, createdAt: now.getTime() } satisfies Entry);
      // First answer wins (NX); an entry past its time (by `now`) may be replaced.
      const set = await redis.set(k, value, 'PX', IDEMPOTENCY_TTL_MS, 'NX');
      if (set === null && !live(await read(k), now)) await redis.set(k, value, 'PX', IDEMPOTENCY_TTL_MS);
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
