// Counts attempts per key in fixed windows: a key's window opens with its first attempt and lasts
// `windowMs`; past `limit` attempts in it, the answer is "wait until the window closes". A fixed window
// lets a burst of up to twice the limit straddle two windows; for limits meant to stop abuse (hundreds
// of invitations an hour, dozens of link lookups a minute) that is an accepted imprecision.
export const RATE_LIMITER = Symbol('RateLimiter');

export type RateLimitDecision = {
  allowed: boolean;
  /** Attempts in the current window, this one included. */
  count: number;
  /** Whole seconds until the window closes (at least 1): the Retry-After of a refusal. */
  retryAfterSeconds: number;
};

export interface RateLimiter {
  /** Counts one attempt on `key` (refused attempts count too) and says whether it is within `limit`. */
  hit(key: string, limit: number, windowMs: number): Promise<RateLimitDecision>;
  close(): Promise<void>;
}

export const decision = (count: number, limit: number, msLeft: number): RateLimitDecision => ({
  allowed: count <= limit,
  count,
  retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)),
});

/** One process's counters (the embedded default). Expired windows are swept as the map grows. */
export function memoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { count: number; endsAt: number }>();
  let sweepAt = 10_000;

  return {
    async hit(key, limit, windowMs) {
      const t = now();
      let window = windows.get(key);
      if (!window || window.endsAt <= t) {
        window = { count: 0, endsAt: t + windowMs };
        windows.set(key, window);
        if (windows.size > sweepAt) {
          for (const [k, w] of windows) if (w.endsAt <= t) windows.delete(k);
          sweepAt = Math.max(10_000, windows.size * 2);
        }
      }
      window.count++;
      return decision(window.count, limit, window.endsAt - t);
    },
    async close() {
      windows.clear();
    },
  };
}
