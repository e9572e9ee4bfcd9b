// The Prometheus metrics of one application instance. Each instance has its own registry (not
// prom-client's global one), so that several apps in one process (tests) never share counters.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const METRICS = Symbol('Metrics');

/** What a command handler reports once a command has settled (see organization-repository.ts). */
export type CommandReport = {
  type: string;
  /** ok: events appended; unchanged: nothing to record; rejected: a business rule said no;
   * conflict: still conflicting after the retries (409); error: anything else. */
  outcome: 'ok' | 'unchanged' | 'rejected' | 'conflict' | 'error';
  /** The API error code of a rejection, e.g. `already_member`. */
  code?: string;
  /** Optimistic-concurrency retries it took (version conflicts with another writer). */
  retries: number;
};

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  // Process metrics (CPU, memory, event-loop lag, GC) come with the standard names.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const commands = new Counter({
    name: 'commands_total',
    help: 'Commands by type and outcome (ok, unchanged, rejected with its code, conflict, error)',
    labelNames: ['type', 'outcome', 'code'] as const,
    registers,
  });
  const commandRetries = new Counter({
    name: 'command_retries_total',
    help: 'Optimistic-concurrency retries of commands (another writer appended first)',
    labelNames: ['type'] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: 'rate_limited_total',
    help: 'Requests refused with 429 rate_limited, by limit',
    labelNames: ['limit'] as const,
    registers,
  });

  return {
    registry,
    httpDuration,
    rateLimited,
    observeCommand(report: CommandReport) {
      commands.inc({ type: report.type, outcome: report.outcome, code: report.code ?? '' });
      if (report.retries > 0) commandRetries.inc({ type: report.type }, report.retries);
    },
    /** A gauge whose value is read when Prometheus scrapes (async sources such as the event store). */
    gauge<L extends string>(name: string, help: string, labelNames: readonly L[], read: (set: (value: number, labels?: Partial<Record<L, string>>) => void) => Promise<void> | void) {
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          this.reset();
          try {
            await read((value, labels) => (labels ? this.set(labels, value) : this.set(value)));
          } catch {
            // The source does not answer (e.g. during shutdown): the gauge sits out this scrape.
          }
        },
      });
    },
  };
}
