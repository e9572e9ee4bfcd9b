// Settings of the background work, read once at start (a bad value names its variable).
import { ConfigError } from '../config/config';
import type { RetryPolicy } from './job-queue';

export type JobsConfig = {
  /** false when a separate apps/worker process runs projections, reactors and jobs. */
  apiRunsWorker: boolean;
  retry: RetryPolicy;
  /** How often past-due pending invitations are looked for (a safety net behind the expiry jobs). */
  expirySweepMs: number;
};

export function loadJobsConfig(env: Record<string, string | undefined> = process.env): JobsConfig {
  const flag = env.API_RUNS_WORKER?.trim() || 'true';
  if (flag !== 'true' && flag !== 'false') throw new ConfigError('API_RUNS_WORKER', `must be true or false, got "${flag}"`);
  return {
    apiRunsWorker: flag === 'true',
    retry: {
      attempts: int(env, 'JOB_ATTEMPTS', 12, 1, 100),
      backoffMs: int(env, 'JOB_BACKOFF_MS', 1000, 1, 3_600_000),
    },
    expirySweepMs: int(env, 'EXPIRY_SWEEP_SECONDS', 60, 1, 86_400) * 1000,
  };
}

function int(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number) {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}
