// The reactor runner on a real (in-memory) SQLite event store and read database: it reacts to every
// event once and in order, stores its checkpoint after each event, retries a failing reaction from the
// same event with growing delays (skipping nothing), and a new runner continues from the checkpoint.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { SqliteReadStore } from '../read-store/read-store';
import type { EventStore, NewEvent, StoredEvent } from '../event-store/event-store';
import { openSqliteEventStore } from '../event-store/sqlite-event-store';
import { openSqliteReadStore } from '../read-store/sqlite-read-store';
import { reactorRunner, type Reactor, type ReactorRunner } from './reactor-runner';

const event = (type: string, n: number): NewEvent => ({
  type,
  data: { n },
  metadata: { eventId: randomUUID(), actorId: null, occurredAt: new Date().toISOString(), correlationId: 'c', causationId: null, schemaVersion: 1 },
});

async function until(what: string, condition: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('reactor runner', () => {
  let store: EventStore;
  let db: Database.Database;
  let readStore: SqliteReadStore;
  let runners: ReactorRunner[];

  const checkpoint = (name: string) =>
    (db.prepare('SELECT position FROM checkpoints WHERE projection = ?').pluck().get(`reactor:${name}`) as number | undefined) ?? null;
  const run = (reactor: Reactor, options: Parameters<typeof reactorRunner>[3] = {}) => {
    const runner = reactorRunner(store, readStore, reactor, options);
    runners.push(runner);
    return runner;
  };
  const append = async (stream: string, ...types: string[]) => {
    let n = 0;
    return store.append(stream, 'any', types.map((t) => event(t, ++n)));
  };

  beforeEach(() => {
    store = openSqliteEventStore(':memory:');
    readStore = openSqliteReadStore(':memory:', []);
    db = readStore.db;
    runners = [];
  });
  afterEach(async () => {
    for (const r of runners) await r.stop();
    await store.close();
    db.close();
  });

  it('reacts to every event once, in order, and stores the checkpoint after each event', async () => {
    await append('a', 'A1', 'A2');
    await append('b', 'B1');
    const seen: Array<{ type: string; position: number; checkpointBefore: number | null }> = [];
    const runner = run({
      name: 'order',
      async react(e: StoredEvent) {
        // The previous event's position is already stored when the next reaction starts.
        seen.push({ type: e.type, position: e.position, checkpointBefore: checkpoint('order') });
      },
    });
    await runner.start();
    expect(seen).toEqual([
      { type: 'A1', position: 1, checkpointBefore: null },
      { type: 'A2', position: 2, checkpointBefore: 1 },
      { type: 'B1', position: 3, checkpointBefore: 2 },
    ]);
    expect(checkpoint('order')).toBe(3);
    expect(runner.position()).toBe(3);

    // Follows new appends without being asked.
    await append('c', 'C1', 'C2');
    await until('the new events', () => seen.length === 5);
    expect(seen.slice(3).map((s) => [s.type, s.checkpointBefore])).toEqual([
      ['C1', 3],
      ['C2', 4],
    ]);
    await until('the checkpoint to reach 5', () => checkpoint('order') === 5);
    await runner.catchUp();
    expect(seen).toHaveLength(5);
  });

  it('retries a failing reaction from the same event with growing delays, and skips nothing', async () => {
    await append('s', 'E1', 'E2', 'E3');
    const calls: Array<{ type: string; at: number }> = [];
    const errors: unknown[] = [];
    let e2Failures = 0;
    const runner = run(
      {
        name: 'flaky',
        async react(e) {
          calls.push({ type: e.type, at: Date.now() });
          if (e.type === 'E2' && e2Failures < 3) {
            e2Failures++;
            throw new Error(`queue down (${e2Failures})`);
          }
        },
      },
      { retryMs: 40, maxRetryMs: 1000, onError: (error) => errors.push(error) },
    );
    await runner.start();
    // While E2 fails, the checkpoint stays on E1: nothing after it is done out of order.
    expect(checkpoint('flaky')).toBe(1);
    expect(calls.map((c) => c.type)).toEqual(['E1', 'E2']);

    await until('E3', () => calls.some((c) => c.type === 'E3'), 5000);
    await until('the checkpoint at E3', () => checkpoint('flaky') === 3);
    expect(calls.map((c) => c.type)).toEqual(['E1', 'E2', 'E2', 'E2', 'E2', 'E3']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['queue down (1)', 'queue down (2)', 'queue down (3)']);
    const e2 = calls.filter((c) => c.type === 'E2').map((c) => c.at);
    const waits = [e2[1] - e2[0], e2[2] - e2[1], e2[3] - e2[2]];
    // 40 ms, 80 ms, 160 ms (timers may fire a millisecond early)
    expect(waits[0]).toBeGreaterThanOrEqual(39);
    expect(waits[1]).toBeGreaterThanOrEqual(79);
    expect(waits[2]).toBeGreaterThanOrEqual(159);
    expect(waits[2]).toBeLessThan(2000);
  });

  it('caps the retry delay at maxRetryMs, and resets the backoff after a success', async () => {
    await append('s', 'X1');
    const at: number[] = [];
    let failures = 0;
    let failing = true;
    const runner = run(
      {
        name: 'capped',
        async react(e) {
          if (e.type === 'X1' || e.type === 'X2') at.push(Date.now());
          if (failing && failures < 4) {
            failures++;
            throw new Error('down');
          }
        },
      },
      { retryMs: 30, maxRetryMs: 60 },
    );
    await runner.start();
    await until('X1 to go through', () => checkpoint('capped') === 1, 5000);
    const waits = at.slice(1).map((t, i) => t - at[i]);
    expect(waits).toHaveLength(4);
    expect(waits[0]).toBeGreaterThanOrEqual(29); // 30
    expect(waits[1]).toBeGreaterThanOrEqual(59); // 60
    expect(waits[2]).toBeLessThan(60 + 200); // capped at 60, not 120
    expect(waits[3]).toBeLessThan(60 + 200); // capped at 60, not 240

    // After the success, a new failure starts again from retryMs.
    failures = 3; // one more failure
    at.length = 0;
    await append('s', 'X2');
    await until('X2 to go through', () => checkpoint('capped') === 2, 5000);
    expect(at).toHaveLength(2);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(29);
    expect(at[1] - at[0]).toBeLessThan(60 - 1 + 200); // from 30 again (generous bound for timers)
    failing = false;
  });

  it('a new runner (after a restart) continues from the checkpoint, including from a failed event', async () => {
    await append('s', 'R1', 'R2', 'R3');
    const first: string[] = [];
    const runner1 = run(
      {
        name: 'restart',
        async react(e) {
          if (e.type === 'R3') throw new Error('crash before R3 was done');
          first.push(e.type);
        },
      },
      { retryMs: 10_000 },
    );
    await runner1.start();
    expect(first).toEqual(['R1', 'R2']);
    expect(checkpoint('restart')).toBe(2);
    await runner1.stop();
    await append('s', 'R4');

    const second: string[] = [];
    const runner2 = run({ name: 'restart', async react(e) { second.push(e.type); } });
    await runner2.start();
    expect(second).toEqual(['R3', 'R4']);
    expect(checkpoint('restart')).toBe(4);

    // Another reactor on the same database keeps its own checkpoint.
    const other: string[] = [];
    await run({ name: 'other', async react(e) { other.push(e.type); } }).start();
    expect(other).toEqual(['R1', 'R2', 'R3', 'R4']);
  });

  it('stop() waits for the reaction in progress, stores its checkpoint, and no retry fires afterwards', async () => {
    await append('s', 'S1', 'S2');
    let release = () => undefined as void;
    const gate = new Promise<void>((r) => (release = r));
    const calls: string[] = [];
    const runner = run({
      name: 'stopping',
      async react(e) {
        calls.push(e.type);
        if (e.type === 'S1') await gate;
      },
    });
    void runner.start();
    await until('S1 to be in progress', () => calls.length === 1);
    let stopped = false;
    const stopping = runner.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(calls).toEqual(['S1']); // S2 not started once stopping
    expect(checkpoint('stopping')).toBe(1);

    // A failing reactor that is stopped does not retry any more.
    await append('t', 'T1');
    let failures = 0;
    const failing = run({ name: 'failing', async react() { failures++; throw new Error('down'); } }, { retryMs: 20 });
    await failing.start();
    await failing.stop();
    const after = failures;
    await new Promise((r) => setTimeout(r, 150));
    expect(failures).toBe(after);
  });
});
