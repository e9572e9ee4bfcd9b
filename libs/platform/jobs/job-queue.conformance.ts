// The conformance suite every adapter of the job-queue port must pass. Call it from the adapter's spec:
//
//   jobQueueConformance('sqlite', async ({ retry }) => ({ queue, reopen, cleanup }));
//   jobQueueConformance('bullmq', { skip: 'Redis at redis://… does not answer' }); // server unreachable
//
// `open` runs before every test with the retry policy the suite needs, and gives a fresh, empty queue;
// `reopen` (optional) opens a new queue on the same storage, as after a restart. The suite closes every
// queue it was given (once each), then calls `cleanup` to drop the adapter's own resources.
// Timing assertions have lower bounds only where the contract promises them (not before runAt, not
// before the backoff); upper bounds are generous, since a real Redis and a polling adapter are slower
// than memory.
import { randomUUID } from 'node:crypto';
import type { JobCounts, JobQueue, NewJob, RetryPolicy, RunningJob } from './job-queue';

export type OpenedJobQueue = {
  queue: JobQueue;
  reopen?: () => Promise<JobQueue>;
  cleanup: () => Promise<void>;
};

export type JobQueueOpener = (options: { retry: RetryPolicy }) => Promise<OpenedJobQueue>;

const TIMEOUT_MS = 20_000;
/** The suite's retry policy: 3 runs at most, waiting 100 ms, then 200 ms between them. */
export const CONFORMANCE_RETRY: RetryPolicy = { attempts: 3, backoffMs: 100 };
/** Timers may fire a millisecond early; the queue itself must not. */
const CLOCK_SLACK_MS = 2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, seen?: () => unknown) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${seen ? ` (seen: ${JSON.stringify(await seen())})` : ''}`);
    await sleep(10);
  }
}

/** Fails as soon as `condition` stops holding within `ms`. */
async function holds(what: string, condition: () => boolean | Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!(await condition())) throw new Error(`expected ${what} to hold for ${ms} ms`);
    await sleep(10);
  }
}

const jobId = (label: string) => `${label}-${randomUUID()}`;
const ZERO: JobCounts = { waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 };

export function jobQueueConformance(adapterName: string, open: JobQueueOpener | { skip: string }): void {
  describe(`job queue conformance: ${adapterName}`, () => {
    if (typeof open !== 'function') {
      // Visible in the run output twice: as a warning and as a skipped test carrying the reason.
      console.warn(`job queue conformance: ${adapterName} SKIPPED (${open.skip})`);
      it.skip(`SKIPPED (${open.skip})`, () => undefined);
      return;
    }

    let queue: JobQueue;
    let reopenQueue: (() => Promise<JobQueue>) | undefined;
    let cleanup: () => Promise<void>;
    let toClose: JobQueue[];
    const closed = new Set<JobQueue>();

    const close = async (q: JobQueue) => {
      if (closed.has(q)) return;
      closed.add(q);
      await q.close();
    };
    const reopen = async () => {
      if (!reopenQueue) throw new Error('reopen not available');
      const again = await reopenQueue();
      toClose.push(again);
      return again;
    };
    const counts = (q: JobQueue = queue) => q.counts();
    const countsAre = (expected: Partial<JobCounts>, q: JobQueue = queue) => async () => {
      const c = await q.counts();
      return Object.entries(expected).every(([k, v]) => c[k as keyof JobCounts] === v);
    };

    beforeEach(async () => {
      const opened = await open({ retry: CONFORMANCE_RETRY });
      queue = opened.queue;
      reopenQueue = opened.reopen;
      cleanup = opened.cleanup;
      toClose = [queue];
    });

    afterEach(async () => {
      for (const q of toClose) await close(q);
      await cleanup();
    });

    it('runs a job once, handing its name, id and data to the handler as attempt 1', async () => {
      const runs: RunningJob[] = [];
      queue.process('greet', async (job) => void runs.push(job));
      const job: NewJob = { name: 'greet', id: jobId('run'), data: { orgId: 'org-1', sendNumber: 2, nothing: null } };
      await queue.add(job);
      await until('the job to run', () => runs.length === 1);
      expect(runs[0]).toEqual({ name: 'greet', id: job.id, data: { orgId: 'org-1', sendNumber: 2, nothing: null }, attempt: 1 });
      await until('the job to count as completed', countsAre({ completed: 1 }), 10_000, counts);
      await holds('a single run', () => runs.length === 1, 200);
      expect(await counts()).toEqual({ ...ZERO, completed: 1 });
    }, TIMEOUT_MS);

    it('dedupes by id: a second add of a waiting job, and of a completed one, adds nothing', async () => {
      const id = jobId('dedupe');
      await queue.add({ name: 'work', id, data: { version: 1 } });
      await queue.add({ name: 'work', id, data: { version: 2 } }); // same id, other data: still the first job
      expect(await counts()).toEqual({ ...ZERO, waiting: 1 });

      const runs: RunningJob[] = [];
      queue.process('work', async (job) => void runs.push(job));
      await until('the job to complete', countsAre({ completed: 1, waiting: 0, active: 0 }), 10_000, counts);
      expect(runs.map((r) => r.data)).toEqual([{ version: 1 }]);

      // After completion the id is still known (completed jobs are kept long enough to recognise it).
      await queue.add({ name: 'work', id, data: { version: 3 } });
      await holds('no second run after completion', () => runs.length === 1, 300);
      expect(await counts()).toEqual({ ...ZERO, completed: 1 });
    }, TIMEOUT_MS);

    it('runs a delayed job not before its runAt (and a past runAt at once)', async () => {
      const ran = new Map<string, number>();
      const later = jobId('later');
      const past = jobId('past');
      const runAt = new Date(Date.now() + 600);
      await queue.add({ name: 'timer', id: later, data: {}, runAt });
      await queue.add({ name: 'timer', id: past, data: {}, runAt: new Date(Date.now() - 60_000) });
      expect(await counts()).toEqual({ ...ZERO, delayed: 1, waiting: 1 });

      queue.process('timer', async (job) => void ran.set(job.id, Date.now()));
      await until('the past-due job to run', () => ran.has(past));
      expect(ran.has(later)).toBe(false);
      await until('the delayed job to run', () => ran.has(later), 10_000);
      expect(ran.get(later)!).toBeGreaterThanOrEqual(runAt.getTime() - CLOCK_SLACK_MS);
      expect(ran.get(later)! - runAt.getTime()).toBeLessThan(3000); // and not much after
      await until('both to count as completed', countsAre({ completed: 2 }), 10_000, counts);
    }, TIMEOUT_MS);

    it('retries a failing job with exponential backoff, then it succeeds', async () => {
      const attempts: Array<{ attempt: number; at: number }> = [];
      queue.process('flaky', async (job) => {
        attempts.push({ attempt: job.attempt, at: Date.now() });
        if (job.attempt < 3) throw new Error(`not yet (attempt ${job.attempt})`);
      });
      const id = jobId('flaky');
      await queue.add({ name: 'flaky', id, data: { x: 1 } });
      await until('the third attempt', () => attempts.length === 3, 10_000, () => attempts);
      await until('the job to count as completed', countsAre({ completed: 1 }), 10_000, counts);

      expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
      const firstWait = attempts[1].at - attempts[0].at;
      const secondWait = attempts[2].at - attempts[1].at;
      expect(firstWait).toBeGreaterThanOrEqual(CONFORMANCE_RETRY.backoffMs - CLOCK_SLACK_MS); // backoffMs
      expect(secondWait).toBeGreaterThanOrEqual(2 * CONFORMANCE_RETRY.backoffMs - CLOCK_SLACK_MS); // backoffMs * 2
      expect(firstWait).toBeLessThan(3000);
      expect(secondWait).toBeLessThan(3000);
      await holds('no further run', () => attempts.length === 3, 200);
      expect(await counts()).toEqual({ ...ZERO, completed: 1 });
    }, TIMEOUT_MS);

    it('keeps a job that exhausted its attempts as failed, and still recognises its id', async () => {
      const attempts: number[] = [];
      queue.process('doomed', async (job) => {
        attempts.push(job.attempt);
        throw new Error('permanently broken');
      });
      const id = jobId('doomed');
      await queue.add({ name: 'doomed', id, data: {} });
      await until('the job to count as failed', countsAre({ failed: 1 }), 10_000, counts);
      expect(attempts).toEqual([1, 2, 3]);
      // The next backoff would be 400 ms: nothing runs any more.
      await holds('no fourth attempt', () => attempts.length === 3, 600);
      expect(await counts()).toEqual({ ...ZERO, failed: 1 });

      // Dead jobs are kept for inspection, so the same id is not added (and run) again.
      await queue.add({ name: 'doomed', id, data: {} });
      await holds('no run of a re-added dead job', () => attempts.length === 3, 300);
      expect(await counts()).toEqual({ ...ZERO, failed: 1 });
    }, TIMEOUT_MS);

    it('remove() drops a pending (waiting or delayed) job; unknown and finished jobs are left alone', async () => {
      const delayed = jobId('delayed');
      const waiting = jobId('waiting');
      const done = jobId('done');
      const runAt = new Date(Date.now() + 400);
      await queue.add({ name: 'rm', id: delayed, data: {}, runAt });
      await queue.add({ name: 'rm', id: waiting, data: {} });
      expect(await counts()).toEqual({ ...ZERO, waiting: 1, delayed: 1 });

      await queue.remove(delayed);
      await queue.remove(waiting);
      await queue.remove(jobId('unknown')); // no-op, no error
      expect(await counts()).toEqual(ZERO);

      const runs: string[] = [];
      queue.process('rm', async (job) => void runs.push(job.id));
      await queue.add({ name: 'rm', id: done, data: {} });
      await until('the other job to complete', countsAre({ completed: 1 }), 10_000, counts);
      await queue.remove(done); // done: a no-op, and its id is still recognised
      expect(await counts()).toEqual({ ...ZERO, completed: 1 });
      await queue.add({ name: 'rm', id: done, data: {} });

      await until('past the removed job\u2019s runAt', () => Date.now() > runAt.getTime() + 300);
      expect(runs).toEqual([done]);
      expect(await counts()).toEqual({ ...ZERO, completed: 1 });
    }, TIMEOUT_MS);

    it('counts() reports waiting, delayed, active, completed and failed jobs', async () => {
      expect(await counts()).toEqual(ZERO);
      const slow = [jobId('slow'), jobId('slow')];
      await queue.add({ name: 'slow', id: slow[0], data: {} });
      await queue.add({ name: 'slow', id: slow[1], data: {} });
      await queue.add({ name: 'slow', id: jobId('delayed'), data: {}, runAt: new Date(Date.now() + 60_000) });
      expect(await counts()).toEqual({ ...ZERO, waiting: 2, delayed: 1 });

      let release = () => undefined as void;
      const gate = new Promise<void>((r) => (release = r));
      const started = new Set<string>();
      queue.process('slow', async (job) => {
        started.add(job.id);
        await gate;
      });
      await until('both jobs to be running', () => started.size === 2);
      await until('both to count as active', countsAre({ active: 2, waiting: 0 }), 10_000, counts);
      expect(await counts()).toEqual({ ...ZERO, active: 2, delayed: 1 });

      release();
      await until('both to count as completed', countsAre({ completed: 2, active: 0 }), 10_000, counts);
      queue.process('bad', async () => {
        throw new Error('always');
      });
      await queue.add({ name: 'bad', id: jobId('bad'), data: {} });
      await until('the bad job to count as failed', countsAre({ failed: 1 }), 10_000, counts);
      expect(await counts()).toEqual({ ...ZERO, delayed: 1, completed: 2, failed: 1 });
    }, TIMEOUT_MS);

    it('hands each job to the handler of its name, and refuses a second handler for a name', async () => {
      const seen: string[] = [];
      queue.process('alpha', async (job) => void seen.push(`alpha:${job.data.n}`));
      queue.process('beta', async (job) => void seen.push(`beta:${job.data.n}`));
      expect(() => queue.process('alpha', async () => undefined)).toThrow(/alpha/);
      await queue.add({ name: 'alpha', id: jobId('a'), data: { n: 1 } });
      await queue.add({ name: 'beta', id: jobId('b'), data: { n: 2 } });
      await queue.add({ name: 'alpha', id: jobId('a'), data: { n: 3 } });
      await until('three runs', () => seen.length === 3, 10_000, () => seen);
      expect(seen.sort()).toEqual(['alpha:1', 'alpha:3', 'beta:2']);
      await until('three completed jobs', countsAre({ completed: 3 }), 10_000, counts);
    }, TIMEOUT_MS);

    it('leaves a job whose name has no handler yet alone until its handler is registered', async () => {
      const seen: RunningJob[] = [];
      queue.process('known', async (job) => void seen.push(job));
      const id = jobId('later-handler');
      await queue.add({ name: 'unknown-yet', id, data: { n: 1 } });
      await queue.add({ name: 'known', id: jobId('known'), data: { n: 0 } });
      await until('the known job to complete', countsAre({ completed: 1 }), 10_000, counts);
      await holds('the other job to stay pending, not failed', async () => (await counts()).failed === 0 && seen.length === 1, 500);
      queue.process('unknown-yet', async (job) => void seen.push(job));
      await until('the job to run once its handler exists', () => seen.length === 2, 10_000, () => seen);
      expect(seen[1]).toMatchObject({ name: 'unknown-yet', id, attempt: 1 });
      await until('both completed', countsAre({ completed: 2, failed: 0 }), 10_000, counts);
    }, TIMEOUT_MS);

    it('close() waits for the running job to finish and records its outcome', async () => {
      let release = () => undefined as void;
      const gate = new Promise<void>((r) => (release = r));
      let started = 0;
      let finished = false;
      queue.process('long', async () => {
        started++;
        await gate;
        await sleep(20);
        finished = true;
      });
      const id = jobId('long');
      await queue.add({ name: 'long', id, data: {} });
      await until('the job to start', () => started === 1);

      let closedAt = 0;
      const closing = close(queue).then(() => (closedAt = Date.now()));
      await holds('close() to wait for the running job', () => closedAt === 0, 300);
      const releasedAt = Date.now();
      release();
      await closing;
      expect(finished).toBe(true);
      expect(closedAt).toBeGreaterThanOrEqual(releasedAt);

      if (reopenQueue) {
        // The outcome was recorded before close() resolved: after a restart the job is done, not rerun.
        const again = await reopen();
        expect(await again.counts()).toEqual({ ...ZERO, completed: 1 });
        again.process('long', async () => void started++);
        await holds('no rerun after a restart', () => started === 1, 300);
      }
    }, TIMEOUT_MS);

    it('keeps pending, delayed and dead jobs across a restart (close, then reopen on the same storage)', async () => {
      if (!reopenQueue) return; // an adapter without reopen() cannot show it
      const now = jobId('now');
      const later = jobId('later');
      const dead = jobId('dead');
      const runAt = new Date(Date.now() + 800);
      queue.process('fail', async () => {
        throw new Error('gone');
      });
      await queue.add({ name: 'fail', id: dead, data: {} });
      await until('the failing job to be dead', countsAre({ failed: 1 }), 10_000, counts);
      await close(queue);

      // A process without handlers (an API-only replica) adds the jobs, and stops.
      const producer = await reopen();
      await producer.add({ name: 'persist', id: now, data: { n: 1 } });
      await producer.add({ name: 'persist', id: later, data: { n: 2 }, runAt });
      await close(producer);

      const again = await reopen();
      expect(await again.counts()).toEqual({ ...ZERO, waiting: 1, delayed: 1, failed: 1 });
      const ran = new Map<string, number>();
      again.process('persist', async (job) => void ran.set(job.id, Date.now()));
      await until('both jobs to run after the restart', () => ran.size === 2, 10_000);
      expect(ran.get(later)!).toBeGreaterThanOrEqual(runAt.getTime() - CLOCK_SLACK_MS);
      // The dead job's id is still known after the restart.
      await again.add({ name: 'fail', id: dead, data: {} });
      await until('two completed, one failed', countsAre({ completed: 2, failed: 1 }, again), 10_000, () => again.counts());
      expect(await again.counts()).toEqual({ ...ZERO, completed: 2, failed: 1 });
    }, TIMEOUT_MS);

    it('ping() answers while the backing engine is up', async () => {
      await queue.add({ name: 'noop', id: jobId('noop'), data: {} }); // the queue is surely connected now
      await expect(queue.ping()).resolves.toBeUndefined();
    });

    it('ping() answers right after open (a fresh process asked for /ready)', async () => {
      await expect(queue.ping()).resolves.toBeUndefined();
    });
  });
}
