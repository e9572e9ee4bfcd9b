// One validated configuration object, read once at start. A bad value stops the process with a
// message naming the variable (ConfigError), instead of failing later on the first request.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import type { RetryPolicy } from '../jobs/job-queue';

/** Settings of the background work. */
export type JobsConfig = {
  /** false when a separate apps/worker process runs projections, reactors and jobs. */
  apiRunsWorker: boolean;
  retry: RetryPolicy;
  /** How often past-due pending invitations are looked for (a safety net behind the expiry jobs). */
  expirySweepMs: number;
};

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  production: boolean;
  auth: { jwtSecret: string | null; jwksUrl: string | null; issuer: string | null; audience: string | null };
  /** Key of the invitation-link HMAC; generated into $DATA_DIR when unset (embedded default). */
  invitationSecret: string;
  invitationTtlSeconds: number;
  invitesPerHour: number;
  /** Requests per minute per client address on the invitation-link routes (preview, accept, decline). */
  invitationLinkRequestsPerMinute: number;
  /** Which proxies' X-Forwarded-For to believe for the client address (Fastify's trustProxy). */
  trustProxy: boolean | number | string[];
  logLevel: LogLevel;
  smtpUrl: string | null;
  mailFrom: string;
  inviteLinkBase: string;
  eventstoreUrl: string | null;
  mongodbUrl: string | null;
  redisUrl: string | null;
  /** Starts every key this service writes in Redis (jobs, leases, rate limits, idempotency keys), so
   * that several deployments (or test runs) can share one Redis. */
  redisKeyPrefix: string;
  jobs: JobsConfig;
};

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function loadConfig(env: Env = process.env): Config {
  const read = (name: string) => (env[name]?.trim() ? env[name]!.trim() : null);
  const dataDir = resolve(read('DATA_DIR') ?? './data');
  const production = env.NODE_ENV === 'production';
  const jwksUrl = url(read('AUTH_JWKS_URL'), 'AUTH_JWKS_URL', ['http:', 'https:']);
  let jwtSecret = read('AUTH_JWT_SECRET');
  if (jwtSecret !== null && Buffer.byteLength(jwtSecret) < 32) {
    throw new ConfigError('AUTH_JWT_SECRET', 'must be at least 32 bytes long (HS256 key)');
  }
  let invitationSecret = read('INVITATION_SECRET');
  if (production && !jwtSecret && !jwksUrl) {
    throw new ConfigError('AUTH_JWT_SECRET', 'or AUTH_JWKS_URL must be set when NODE_ENV=production');
  }
  if (production && !invitationSecret) {
    throw new ConfigError('INVITATION_SECRET', 'must be set when NODE_ENV=production (shared by all replicas)');
  }
  if (!jwtSecret && !jwksUrl) jwtSecret = localSecret(dataDir, 'auth-jwt-secret');
  invitationSecret ??= localSecret(dataDir, 'invitation-secret');

  return {
    port: integer(read('PORT'), 'PORT', 3000, 0, 65535),
    host: read('HOST') ?? '0.0.0.0',
    dataDir,
    production,
    auth: { jwtSecret, jwksUrl, issuer: read('AUTH_ISSUER'), audience: read('AUTH_AUDIENCE') },
    invitationSecret,
    invitationTtlSeconds: integer(read('INVITATION_TTL_SECONDS'), 'INVITATION_TTL_SECONDS', 604800, 1, 31_536_000),
    invitesPerHour: integer(read('INVITES_PER_HOUR'), 'INVITES_PER_HOUR', 500, 1, 1_000_000),
    invitationLinkRequestsPerMinute: integer(read('INVITATION_LINK_REQUESTS_PER_MINUTE'), 'INVITATION_LINK_REQUESTS_PER_MINUTE', 60, 1, 1_000_000),
    trustProxy: trustProxy(read('TRUST_PROXY')),
    logLevel: oneOf(read('LOG_LEVEL')?.toLowerCase() ?? null, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    smtpUrl: url(read('SMTP_URL'), 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: read('MAIL_FROM') ?? 'Team <no-reply@localhost>',
    inviteLinkBase:
      url(read('INVITE_LINK_BASE'), 'INVITE_LINK_BASE', ['http:', 'https:']) ?? 'http://localhost:3000/invitations/',
    eventstoreUrl: url(read('EVENTSTORE_URL'), 'EVENTSTORE_URL', ['esdb:', 'esdb+discover:', 'kurrentdb:', 'kurrentdb+discover:', 'kdb:']),
    mongodbUrl: url(read('MONGODB_URL'), 'MONGODB_URL', ['mongodb:', 'mongodb+srv:']),
    redisUrl: url(read('REDIS_URL'), 'REDIS_URL', ['redis:', 'rediss:']),
    redisKeyPrefix: keyPrefix(read('REDIS_KEY_PREFIX')),
    jobs: {
      apiRunsWorker: oneOf(read('API_RUNS_WORKER'), 'API_RUNS_WORKER', ['true', 'false'], 'true') === 'true',
      retry: {
        attempts: integer(read('JOB_ATTEMPTS'), 'JOB_ATTEMPTS', 12, 1, 100),
        backoffMs: integer(read('JOB_BACKOFF_MS'), 'JOB_BACKOFF_MS', 1000, 1, 3_600_000),
      },
      expirySweepMs: integer(read('EXPIRY_SWEEP_SECONDS'), 'EXPIRY_SWEEP_SECONDS', 60, 1, 86_400) * 1000,
    },
  };
}

function keyPrefix(value: string | null): string {
  if (value === null) return 'team';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(value)) throw new ConfigError('REDIS_KEY_PREFIX', `must be 1 to 64 letters, digits, '_', '.' or '-', got "${value}"`);
  return value;
}

function integer(value: string | null, name: string, fallback: number, min: number, max: number): number {
  if (value === null) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return Number(value);
}

function oneOf<T extends string>(value: string | null, name: string, allowed: readonly T[], fallback: T): T {
  if (value === null) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/** "true", "false", a hop count, or a comma-separated list of proxy addresses / CIDR ranges. */
function trustProxy(value: string | null): boolean | number | string[] {
  if (value === null || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return integer(value, 'TRUST_PROXY', 0, 0, 100);
  const entries = value.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const [address, bits, ...rest] = entry.split('/');
    const version = isIP(address);
    const maxBits = version === 6 ? 128 : 32;
    if (!version || rest.length > 0 || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= maxBits))) {
      throw new ConfigError('TRUST_PROXY', `must be true, false, a hop count, or proxy addresses/CIDR ranges separated by commas, got "${entry}"`);
    }
  }
  return entries;
}

function url(value: string | null, name: string, protocols: string[]): string | null {
  if (value === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return value;
}

/** A random secret kept in $DATA_DIR/secrets/, so that tokens and links survive a restart. */
function localSecret(dataDir: string, name: string): string {
  const dir = join(dataDir, 'secrets');
  const file = join(dir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw error;
  }
}
