// The Redis lease against the shared Redis at REDIS_URL (default redis://127.0.0.1:6379), under keys unique
// to this run. An unreachable Redis is a visible skip, except with CI=true, where this file fails.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisProblemSync, SHARED_REDIS_URL } from '../../../test/support/redis';
import { acquireLease, releaseLease, renewLease, runWithLease, type LeaseHolder } from './redis-lease';

const problem = redisProblemSync(SHARED_REDIS_URL);
if (problem && process.env.CI === 'true') throw new Error(`${problem} (CI=true: the lease tests require it)`);
// Straight to stderr: jest hides the console output of a file whose tests are all skipped.
if (problem) process.stderr.write(`\nredis lease tests SKIPPED (${problem})\n`);
const describeWithRedis = problem ? describe.skip : describe;
if (problem) it.skip(`redis lease SKIPPED (${problem})`, () => undefined);

const PREFIX = `lease-test-${process.pid}-${randomUUID().slice(0, 8)}:`;

/** Resolves once `condition` holds, polling every 10 ms; fails with `what` after `timeoutMs`. */
async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeWithRedis('redis lease', () => {
  let redis: Redis;
  let clients: Redis[];
  let holders: LeaseHolder[];
  const client = () => {
    const c = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 1 });
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };
  const key = () => `${PREFIX}${randomUUID()}`;

  beforeEach(() => {
    clients = [];
    holders = [];
    redis = client();
  });

  afterEach(async () => {
    for (const h of holders) await h.stop();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    // Not twice: a second disconnect() of a closed client leaves ioredis's 2 s destroy timer behind.
    for (const c of clients) if (c.status !== 'end') c.disconnect();
  });

  it('acquires with NX and a ttl: one holder at a time', async () => {
    const k = key();
    expect(await acquireLease(redis, k, 'a', 5000)).toBe(true);
    expect(await acquireLease(redis, k, 'b', 5000)).toBe(false);
    expect(await redis.get(k)).toBe('a');
    const ttl = await redis.pttl(k);
    expect(ttl).toBeGreaterThan(4000);
    expect(ttl).toBeLessThanOrEqual(5000);
  });

  it('renews and releases only for the token that holds it', async () => {
    const k = key();
    await acquireLease(redis, k, 'a', 1000);
    expect(await renewLease(redis, k, 'b', 60_000)).toBe(false);
    expect(await redis.pttl(k)).toBeLessThanOrEqual(1000);
    expect(await renewLease(redis, k, 'a', 60_000)).toBe(true);
    expect(await redis.pttl(k)).toBeGreaterThan(59_000);

    expect(await releaseLease(redis, k, 'b')).toBe(false);
    expect(await redis.get(k)).toBe('a');
    expect(await releaseLease(redis, k, 'a')).toBe(true);
    expect(await redis.exists(k)).toBe(0);
    expect(await renewLease(redis, k, 'a', 1000)).toBe(false); // expired or released: not recreated
    expect(await redis.exists(k)).toBe(0);
  });

  it('lets another take the lease once a holder stops renewing (as a killed process does)', async () => {
    const k = key();
    await acquireLease(redis, k, 'dead', 200); // never renewed, never released
    expect(await acquireLease(redis, k, 'next', 5000)).toBe(false);
    await until('the lease to expire', async () => acquireLease(redis, k, 'next', 5000), 2000);
    expect(await redis.get(k)).toBe('next');
  });

  it('runs the work of exactly one of two contenders, and hands over on stop', async () => {
    const name = `demo-${randomUUID()}`;
    const events: string[] = [];
    const contender = (id: string) =>
      runWithLease(client(), name, 600, {
        onAcquired: async () => void events.push(`${id}+`),
        onLost: async () => void events.push(`${id}-`),
      }, { keyPrefix: PREFIX });
    const a = contender('a');
    const b = contender('b');
    holders.push(a, b);

    await until('a holder', () => a.isHeld() || b.isHeld());
    const [first, second] = a.isHeld() ? [a, b] : [b, a];
    const [firstId, secondId] = first === a ? ['a', 'b'] : ['b', 'a'];
    await new Promise((resolve) => setTimeout(resolve, 900)); // longer than the ttl: renewal keeps it
    expect(first.isHeld()).toBe(true);
    expect(second.isHeld()).toBe(false);
    expect(await redis.get(`${PREFIX}${name}`)).toBe(first.token);

    await first.stop();
    expect(events).toEqual([`${firstId}+`, `${firstId}-`]);
    await until('the follower to take over', () => second.isHeld());
    expect(events).toEqual([`${firstId}+`, `${firstId}-`, `${secondId}+`]);
    expect(await redis.get(`${PREFIX}${name}`)).toBe(second.token);

    await second.stop();
    expect(events).toEqual([`${firstId}+`, `${firstId}-`, `${secondId}+`, `${secondId}-`]);
    expect(await redis.exists(`${PREFIX}${name}`)).toBe(0); // released, not left to expire
  });

  it('calls onLost when the key is taken from under the holder, then competes again', async () => {
    const name = `stolen-${randomUUID()}`;
    const k = `${PREFIX}${name}`;
    let lost = 0;
    const holder = runWithLease(client(), name, 300, { onAcquired: async () => undefined, onLost: async () => void lost++ }, { keyPrefix: PREFIX });
    holders.push(holder);
    await until('the lease', () => holder.isHeld());

    await redis.set(k, 'intruder', 'PX', 400); // e.g. a failover that lost the key, and another took it
    await until('onLost', () => lost === 1, 2000);
    expect(holder.isHeld()).toBe(false);
    await until('the holder to take it back after the intruder expired', () => holder.isHeld(), 3000);
    expect(await redis.get(k)).toBe(holder.token);
  });

  it('stops the work before the ttl runs out when Redis cannot be reached', async () => {
    const name = `cut-${randomUUID()}`;
    const own = client();
    let lostAt = 0;
    const errors: unknown[] = [];
    const holder = runWithLease(own, name, 900, { onAcquired: async () => undefined, onLost: async () => void (lostAt = Date.now()) }, {
      keyPrefix: PREFIX,
      onError: (e) => errors.push(e),
    });
    holders.push(holder);
    await until('the lease', () => holder.isHeld());
    const pttl = await redis.pttl(`${PREFIX}${name}`);
    const expiresAt = Date.now() + pttl;

    own.disconnect(); // the holder's connection is gone; the key still counts down in Redis
    await until('onLost', () => lostAt > 0, 3000);
    expect(lostAt).toBeLessThan(expiresAt); // stopped while the key still protected it
    expect(errors.length).toBeGreaterThan(0);
    await until('another process to take over after the ttl', () => acquireLease(redis, `${PREFIX}${name}`, 'other', 5000), 3000);
  });

  it('releases the lease and retries when the work fails to start', async () => {
    const name = `failing-${randomUUID()}`;
    let attempts = 0;
    let lost = 0;
    const holder = runWithLease(
      client(),
      name,
      300,
      {
        onAcquired: async () => {
          attempts++;
          if (attempts === 1) throw new Error('cannot start');
        },
        onLost: async () => void lost++,
      },
      { keyPrefix: PREFIX, onError: () => undefined },
    );
    holders.push(holder);
    await until('a second attempt', () => attempts === 2 && holder.isHeld(), 3000);
    expect(lost).toBe(1); // the failed start was cleaned up through onLost
  });
});
