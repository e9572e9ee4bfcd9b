// The idempotency store's behaviour, the same for both adapters: SQLite (embedded) and Redis (the
// shared Redis at REDIS_URL, default redis://127.0.0.1:6379; unreachable: a visible skip, except in CI).
import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisTarget } from '../../../test/support/redis';
import { IDEMPOTENCY_TTL_MS, openSqliteIdempotencyStore, type IdempotencyStore, type StoredResponse } from './idempotency-store';
import { redisIdempotencyStore } from './redis-idempotency-store';

const T0 = new Date('2026-06-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const answer = (status: number, body: unknown = { id: 'o1' }): StoredResponse => ({ requestHash: `h-${status}`, status, body, headers: { 'x-position': '42' } });

function conformance(name: string, open: () => IdempotencyStore) {
  describe(name, () => {
    let store: IdempotencyStore;
    // Keys unique per test: the Redis one is shared with other runs.
    let caller: string;
    beforeEach(() => {
      store = open();
      caller = `caller-${randomUUID()}`;
    });
    afterEach(() => store.close());

    it('answers null for a key never stored', async () => {
      expect(await store.get(caller, 'k', T0)).toBeNull();
    });

    it('gives back what was stored: status, body, headers and request hash', async () => {
      await store.put(caller, 'k', answer(201, { id: 'o1', nested: { a: [1, 'two'] } }), T0);
      expect(await store.get(caller, 'k', at(1000))).toEqual(answer(201, { id: 'o1', nested: { a: [1, 'two'] } }));
    });

    it('keeps an answer without a body (204)', async () => {
      await store.put(caller, 'k', { requestHash: 'h', status: 204, body: undefined, headers: {} }, T0);
      expect(await store.get(caller, 'k', T0)).toEqual({ requestHash: 'h', status: 204, body: undefined, headers: {} });
    });

    it('keeps the first answer: a second put for a live key changes nothing', async () => {
      await store.put(caller, 'k', answer(201), T0);
      await store.put(caller, 'k', answer(409, { code: 'x' }), at(5000));
      expect((await store.get(caller, 'k', at(6000)))?.status).toBe(201);
    });

    it('forgets an answer after 24 hours, and then takes a new one', async () => {
      await store.put(caller, 'k', answer(201), T0);
      expect(await store.get(caller, 'k', at(IDEMPOTENCY_TTL_MS - 1))).not.toBeNull();
      expect(await store.get(caller, 'k', at(IDEMPOTENCY_TTL_MS))).toBeNull();
      await store.put(caller, 'k', answer(202), at(IDEMPOTENCY_TTL_MS));
      expect((await store.get(caller, 'k', at(IDEMPOTENCY_TTL_MS + 1)))?.status).toBe(202);
    });

    it('keeps callers and keys apart', async () => {
      await store.put(caller, 'k', answer(201), T0);
      expect(await store.get(`${caller}-other`, 'k', T0)).toBeNull();
      expect(await store.get(caller, 'k2', T0)).toBeNull();
      // A separator inside the values cannot make two pairs collide.
      await store.put('a', `b\u0000${caller}`, answer(201), T0);
      expect(await store.get(`a\u0000b`, caller, T0)).toBeNull();
    });
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'idempotency-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
conformance('SQLite idempotency store', () => openSqliteIdempotencyStore(join(dir, `idempotency-${++files}.sqlite`)));

const redis = redisTarget();
if ('url' in redis) {
  conformance('Redis idempotency store', () => redisIdempotencyStore(redis.url, { keyPrefix: `test:idempotency:${process.pid}:` }));
} else {
  it.skip(`Redis idempotency store SKIPPED (${redis.skip})`, () => undefined);
}
