// The job-queue port. Adapters: BullMQ on Redis (REDIS_URL) and a durable in-process queue on SQLite.
// Jobs carry ids only (never a token or an email body); a job id seen before is not added again, so a
// reactor that replays an event enqueues nothing new.

export type NewJob = {
  name: string;
  /** Deterministic (derived from the causing event): the dedupe key. */
  id: string;
  data: Record<string, string | number | null>;
  /** Not before this time (delayed job). */
  runAt?: Date;
};

export type RunningJob = { name: string; id: string; data: NewJob['data']; attempt: number };
export type JobHandler = (job: RunningJob) => Promise<void>;

export type JobCounts = { waiting: number; delayed: number; active: number; completed: number; failed: number };

export type RetryPolicy = {
  /** Runs at most this many times before the job is kept as failed (dead) for inspection. */
  attempts: number;
  /** Exponential backoff: the n-th retry waits backoffMs * 2^(n-1). */
  backoffMs: number;
};

export interface JobQueue {
  add(job: NewJob): Promise<void>;
  /** Starts running jobs of this name with the handler (at most one handler per name). */
  process(name: string, handler: JobHandler): void;
  /** Removes a job that has not run yet (no-op when unknown or done). */
  remove(id: string): Promise<void>;
  counts(): Promise<JobCounts>;
  /** Throws when the queue's backing engine does not answer (for /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 12, backoffMs: 1000 };
export const backoffDelay = (policy: RetryPolicy, failedAttempts: number) =>
  policy.backoffMs * 2 ** Math.max(0, failedAttempts - 1);
