// A lease on Redis, so that among several worker processes exactly one runs a given projection or reactor
// at a time, and another takes over when it dies.
//
//   acquire   SET <key> <token> NX PX <ttl>            (only if nobody holds it)
//   renew     every ttl/3: PEXPIRE only if the value is still our token (Lua, atomic)
//   release   DEL only if the value is still our token (Lua, atomic)
//
// A holder that is killed (SIGKILL, a lost machine) simply stops renewing: the key expires after at most
// `ttl`, and a follower, retrying every `retryEveryMs`, takes it. A holder that cannot reach Redis declares
// the lease lost one renewal interval before it could have expired, and stops its work (onLost).
//
// What the lease is not: a fencing token. A process paused longer than the ttl (a stop-the-world pause,
// SIGSTOP) may still finish the batch it was in while the next holder starts. Correctness never rests on the
// lease: a projection runner commits each batch with its checkpoint and re-reads the checkpoint inside that
// transaction (so an event is applied once whoever applies it), and reactions are idempotent. The lease is
// what keeps two runners from doing the same work in parallel, and gives each projection one ordered writer.
//
// Redis setup: the key must survive while held, so run Redis with `--maxmemory-policy noeviction` (an
// evicted lease key is a second holder) and with persistence (AOF) if a restart must not hand the lease
// over before the ttl.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export const DEFAULT_LEASE_PREFIX = 'lease:';

/** A unique value per holder; it names the process, for whoever looks at the key. */
export function leaseToken(): string {
  return `${hostname()}:${process.pid}:${randomUUID()}`;
}

/** Takes the lease if nobody holds it. */
export async function acquireLease(redis: Redis, key: string, token: string, ttlMs: number): Promise<boolean> {
  return (await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK';
}

/** Extends the lease to `ttlMs` from now if `token` still holds it; false when it was lost. */
export async function renewLease(redis: Redis, key: string, token: string, ttlMs: number): Promise<boolean> {
  return Number(await redis.eval(RENEW, 1, key, token, String(ttlMs))) === 1;
}

/** Gives the lease up if `token` still holds it; false when it was not ours (any more). */
export async function releaseLease(redis: Redis, key: string, token: string): Promise<boolean> {
  return Number(await redis.eval(RELEASE, 1, key, token)) === 1;
}

export type LeaseCallbacks = {
  /** Start the work. Renewal runs alongside, so this may take long (a catch-up) or return at once. */
  onAcquired: () => Promise<void>;
  /**
   * Stop the work: the lease was lost, or stop() is giving it up. It may be called while onAcquired's
   * promise is still pending (lost during a long start); it must make that work finish.
   */
  onLost: () => Promise<void>;
};

export type LeaseOptions = {
  /** Key prefix in Redis (default 'lease:'), e.g. a per-test prefix. */
  keyPrefix?: string;
  /** How often the holder renews (default ttl/3). */
  renewEveryMs?: number;
  /** How often a follower tries to take the lease (default ttl/3). */
  retryEveryMs?: number;
  token?: string;
  /** Redis errors and callback failures (default: console.error). The lease keeps trying after them. */
  onError?: (error: unknown) => void;
};

export type LeaseHolder = {
  readonly key: string;
  readonly token: string;
  /** True while this process holds the lease (and its work runs). */
  isHeld(): boolean;
  /** Stops trying; if held, stops the work (onLost), then releases the lease so a follower takes it at once. */
  stop(): Promise<void>;
};

/**
 * Runs `callbacks.onAcquired` whenever this process takes the lease `name`, and `callbacks.onLost` when it
 * loses or gives it up; tries again (forever, until stop()) whenever it does not hold it.
 */
export function runWithLease(redis: Redis, name: string, ttlMs: number, callbacks: LeaseCallbacks, options: LeaseOptions = {}): LeaseHolder {
  if (!(Number.isInteger(ttlMs) && ttlMs >= 30)) throw new RangeError(`lease ttl must be an integer >= 30 ms, got ${ttlMs}`);
  const key = `${options.keyPrefix ?? DEFAULT_LEASE_PREFIX}${name}`;
  const token = options.token ?? leaseToken();
  const renewEveryMs = options.renewEveryMs ?? Math.floor(ttlMs / 3);
  const retryEveryMs = options.retryEveryMs ?? Math.floor(ttlMs / 3);
  if (renewEveryMs <= 0 || renewEveryMs * 2 >= ttlMs) throw new RangeError('lease renewEveryMs must be above 0 and below ttl/2');
  const reportError = options.onError ?? ((error: unknown) => console.error(`lease ${name}:`, error));

  let stopping = false;
  let held = false;
  let wake: () => void = () => undefined;

  /** Waits `ms`, or less when stop() (or the work failing) wakes it. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref(); // like the runners' timers: the lease never holds a process open by itself
      function done() {
        clearTimeout(timer);
        wake = () => undefined;
        resolve();
      }
      wake = done;
    });

  /** A Redis call that gives up after `ms` (a client queueing commands while disconnected would wait). */
  const within = <T>(ms: number, call: Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
      timer.unref();
      call.then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error: unknown) => (clearTimeout(timer), reject(error)),
      );
    });

  async function hold(validUntil: number): Promise<{ failed: boolean }> {
    held = true;
    let failed = false;
    const work = (async () => callbacks.onAcquired())().catch((error: unknown) => {
      failed = true;
      reportError(error);
      wake();
    });
    while (!stopping && !failed) {
      await pause(renewEveryMs);
      if (stopping || failed) break;
      const sentAt = Date.now();
      try {
        if (!(await within(renewEveryMs, renewLease(redis, key, token, ttlMs)))) break; // taken over, or expired
        validUntil = sentAt + ttlMs;
      } catch (error) {
        reportError(error);
        // Unsure whether it is still ours: keep working only while it certainly is, with a renewal's margin.
        if (Date.now() + renewEveryMs >= validUntil) break;
      }
    }
    held = false;
    try {
      await callbacks.onLost();
    } catch (error) {
      reportError(error);
    }
    await work;
    return { failed };
  }

  async function run() {
    while (!stopping) {
      const sentAt = Date.now();
      let acquired = false;
      try {
        acquired = await within(Math.max(renewEveryMs, 1000), acquireLease(redis, key, token, ttlMs));
      } catch (error) {
        reportError(error);
      }
      if (!acquired) {
        await pause(retryEveryMs);
        continue;
      }
      const { failed } = await hold(sentAt + ttlMs);
      // Hand it over at once (stop, or work that failed to start); a no-op when it is no longer ours.
      await within(1000, releaseLease(redis, key, token)).catch(() => undefined);
      if (failed && !stopping) await pause(retryEveryMs);
    }
  }

  const running = run();
  return {
    key,
    token,
    isHeld: () => held,
    async stop() {
      stopping = true;
      wake();
      await running;
    },
  };
}
