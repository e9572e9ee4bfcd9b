// The production job queue: BullMQ on Redis. Delayed jobs, exponential-backoff retries, failed (dead)
// jobs kept for inspection, completed jobs kept long enough (at least the invitation TTL) that adding
// the same job id again is still recognised as a duplicate.
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import IORedis from 'ioredis';
import { DEFAULT_RETRY, type JobCounts, type JobHandler, type JobQueue, type NewJob, type RetryPolicy } from './job-queue';

/** How long close() waits for running jobs before it forces the worker shut (Redis may be down). */
const CLOSE_GRACE_MS = 3000;
/** A job this worker has no handler for (yet: a rolling deploy) goes back to wait this long. */
const NO_HANDLER_DELAY_MS = 1000;

export function openBullmqJobQueue(
  redisUrl: string,
  options: { queueName?: string; prefix?: string; retry?: RetryPolicy; keepCompletedSeconds: number; concurrency?: number },
): JobQueue {
  const retry = options.retry ?? DEFAULT_RETRY;
  const name = options.queueName ?? 'team-jobs';
  const prefix = options.prefix ?? 'bull';
  // Producer: fail fast while Redis is down (the reactor retries from its checkpoint);
  // worker: BullMQ requires maxRetriesPerRequest null so that blocking commands survive reconnects.
  const producer = new IORedis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  producer.on('error', () => undefined); // reconnects by itself; /ready reports the outage
  const queue = new Queue(name, { connection: producer, prefix });
  queue.on('error', () => undefined);
  const handlers = new Map<string, JobHandler>();
  let worker: { worker: Worker; connection: IORedis } | undefined;

  async function processJob(job: Job, token?: string) {
    const handler = handlers.get(job.name);
    if (!handler) {
      // Not ours to fail: leave it for a worker that knows it, without spending an attempt.
      await job.moveToDelayed(Date.now() + NO_HANDLER_DELAY_MS, token);
      throw new DelayedError();
    }
    await handler({ name: job.name, id: job.id!, data: job.data, attempt: job.attemptsMade + 1 });
  }

  return {
    async add(job: NewJob) {
      // One clock reading for both: BullMQ runs a job at timestamp + delay, so runAt is kept exactly.
      const now = Date.now();
      await queue.add(job.name, job.data, {
        jobId: job.id,
        timestamp: now,
        delay: job.runAt ? Math.max(0, job.runAt.getTime() - now) : undefined,
        attempts: retry.attempts,
        backoff: { type: 'exponential', delay: retry.backoffMs },
        removeOnComplete: { age: options.keepCompletedSeconds },
        removeOnFail: false,
      });
    },
    process(jobName, handler) {
      if (handlers.has(jobName)) throw new Error(`jobs named ${jobName} already have a handler`);
      handlers.set(jobName, handler);
      if (!worker) {
        const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
        connection.on('error', () => undefined);
        const w = new Worker(name, processJob, { connection, prefix, concurrency: options.concurrency ?? 4 });
        w.on('error', () => undefined);
        worker = { worker: w, connection };
      }
    },
    async remove(id) {
      const job = await queue.getJob(id);
      if (job && ((await job.isDelayed()) || (await job.isWaiting()))) await job.remove();
    },
    async counts() {
      const c = await queue.getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed');
      return { waiting: c.waiting ?? 0, delayed: c.delayed ?? 0, active: c.active ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0 } satisfies JobCounts;
    },
    async ping() {
      // Right after open the connection may still be connecting: wait for it (briefly) before asking.
      if (producer.status !== 'ready') {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('Redis is not answering')), 2000);
          producer.once('ready', () => (clearTimeout(timer), resolve()));
        });
      }
      await producer.ping();
    },
    async close() {
      // Running jobs finish if Redis answers; otherwise the worker is forced shut after a grace period
      // (its jobs run again once their locks expire: at-least-once).
      if (worker) {
        const { worker: w, connection } = worker;
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS)));
        const outcome = await Promise.race([w.close().then(() => 'closed' as const), late]);
        clearTimeout(timer);
        if (outcome === 'late') void w.close(true).catch(() => undefined);
        connection.disconnect();
      }
      await Promise.race([queue.close(), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
      producer.disconnect();
    },
  };
}
