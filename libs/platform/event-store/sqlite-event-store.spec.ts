import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore, NewEvent, WrongExpectedVersion } from './event-store';
import { eventStoreConformance } from './event-store.conformance';
import { openSqliteEventStore } from './sqlite-event-store';

const POLL_MS = 20; // short so cross-connection notifications arrive quickly in tests

function tempFile(): { file: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-event-store-'));
  return { file: join(dir, 'events.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

eventStoreConformance('sqlite', async () => {
  const { file, remove } = tempFile();
  return {
    store: openSqliteEventStore(file, { pollMs: POLL_MS }),
    reopen: async () => openSqliteEventStore(file, { pollMs: POLL_MS }),
    cleanup: async () => remove(),
  };
});

function event(type: string, eventId: string = randomUUID()): NewEvent {
  return {
    type,
    data: { type },
    metadata: {
      eventId,
      actorId: null,
      occurredAt: new Date().toISOString(),
      correlationId: randomUUID(),
      causationId: null,
      schemaVersion: 1,
    },
  };
}

describe('sqlite event store', () => {
  let file: string;
  let remove: () => void;
  let opened: EventStore[];
  const open = () => {
    const store = openSqliteEventStore(file, { pollMs: POLL_MS });
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    ({ file, remove } = tempFile());
    opened = [];
  });

  afterEach(async () => {
    for (const store of opened) await store.close();
    remove();
  });

  it('starts empty', async () => {
    const store = open();
    expect(await store.headPosition()).toBe(0);
    expect(await store.readAll(0, 10)).toEqual([]);
    expect(await store.append('s', 0, [])).toEqual({ streamVersion: 0, position: 0 });
  });

  it('answers an empty append with the current version and position, still checking the expected version', async () => {
    const store = open();
    const appended = await store.append('s', 0, [event('A'), event('B')]);
    expect(await store.append('s', 2, [])).toEqual(appended);
    await expect(store.append('s', 1, [])).rejects.toBeInstanceOf(WrongExpectedVersion);
    expect(await store.headPosition()).toBe(appended.position);
  });

  it('works in memory', async () => {
    const store = openSqliteEventStore(':memory:');
    opened.push(store);
    await store.append('s', 0, [event('A')]);
    expect((await store.readStream('s')).map((e) => e.type)).toEqual(['A']);
  });

  it('names the duplicate event id in the error', async () => {
    const store = open();
    const id = randomUUID();
    await store.append('a', 0, [event('A', id)]);
    await expect(store.append('b', 0, [event('B'), event('B2', id)])).rejects.toThrow(id);
    // A duplicate inside one batch is refused the same way.
    const twice = randomUUID();
    await expect(store.append('c', 0, [event('C1', twice), event('C2', twice)])).rejects.toThrow(twice);
    expect(await store.readStream('b')).toEqual([]);
    expect(await store.readStream('c')).toEqual([]);
  });

  it('sees appends of another connection on the same file, and notifies its listeners', async () => {
    const writer = open();
    const reader = open();
    let unsubscribe = () => undefined as void;
    const notified = new Promise<number>((resolve) => {
      unsubscribe = reader.onAppended(resolve);
    });

    const { position } = await writer.append('other', 0, [event('A'), event('B')]);
    expect(await notified).toBeGreaterThanOrEqual(position); // resolved by data_version polling
    unsubscribe();
    expect((await reader.readAll(0, 10)).map((e) => e.type)).toEqual(['A', 'B']);
    expect(await reader.headPosition()).toBe(position);
  }, 15_000);

  it('refuses the loser of two connections appending with the same expected version', async () => {
    const one = open();
    const two = open();
    await one.append('race', 0, [event('Start')]);

    const results = await Promise.allSettled([
      one.append('race', 1, [event('One')]),
      two.append('race', 1, [event('Two')]),
    ]);
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].reason).toBeInstanceOf(WrongExpectedVersion);
    expect(lost[0].reason).toMatchObject({ expected: 1, actual: 2 });
    expect(await two.readStream('race')).toHaveLength(2);
  });

  it('keeps two processes hammering one stream consistent: conflicts surface as WrongExpectedVersion only', async () => {
    open(); // creates the schema before the children race for it
    const children = [0, 1].map(() => spawnAppender(file, 'shared', 100));
    await Promise.all(children.map((c) => c.ready));
    children.forEach((c) => c.go());
    const reports = await Promise.all(children.map((c) => c.done));

    // A deferred transaction would fail here with SQLITE_BUSY instead of waiting for the write lock.
    for (const report of reports) expect(report).toMatchObject({ appended: 100, errors: [] });
    const stream = await open().readStream('shared');
    expect(stream.map((e) => e.streamVersion)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  }, 60_000);

  it('pages 1000 events appended in 10 batches back in order', async () => {
    const store = open();
    for (let batch = 0; batch < 10; batch++) {
      const events = Array.from({ length: 100 }, (_, i) => event(`E${batch * 100 + i}`));
      await store.append(`bulk-${batch % 3}`, Math.floor(batch / 3) * 100, events);
    }

    const read: string[] = [];
    let after = 0;
    for (let page = await store.readAll(after, 100); page.length > 0; page = await store.readAll(after, 100)) {
      expect(page.length).toBeLessThanOrEqual(100);
      expect(page[0].position).toBe(after + 1); // no gap, no repeat (and no endless loop if it repeats)
      read.push(...page.map((e) => e.type));
      after = page[page.length - 1].position;
    }
    expect(read).toEqual(Array.from({ length: 1000 }, (_, i) => `E${i}`));
    expect(await store.headPosition()).toBe(after);
  });

  it('keeps appending and notifying the others when a listener throws', async () => {
    const store = open();
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const seen: number[] = [];
      store.onAppended(() => {
        throw new Error('broken listener');
      });
      store.onAppended((position) => seen.push(position));

      const { position } = await store.append('s', 0, [event('A')]);
      await new Promise((resolve) => setTimeout(resolve, 0)); // in case notification is deferred
      expect(seen).toEqual([position]);
      expect(errors).toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });

  it('does not notify for an empty append, and close is idempotent', async () => {
    const store = open();
    const listener = jest.fn();
    store.onAppended(listener);
    await store.append('s', 0, []);
    expect(listener).not.toHaveBeenCalled();
    await store.close();
    await store.close();
  });
});

// Another OS process appending `count` events to `streamId`, retrying on WrongExpectedVersion. It loads the
// TypeScript adapter through @swc/core (already a dev dependency), so the real adapter is what races.
const APPENDER = `
  const fs = require('node:fs');
  const swc = require('@swc/core');
  require.extensions['.ts'] = (m, f) => m._compile(swc.transformSync(fs.readFileSync(f, 'utf8'),
    { filename: f, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }).code, f);
  const { openSqliteEventStore } = require(process.env.ADAPTER);
  const { WrongExpectedVersion } = require(process.env.PORT);
  const [file, streamId, count] = process.argv.slice(1);
  const store = openSqliteEventStore(file);
  const report = { appended: 0, conflicts: 0, errors: [] };
  process.stdout.write('ready\\n');
  process.stdin.once('data', async () => {
    while (report.appended < Number(count) && report.errors.length === 0) {
      const version = (await store.readStream(streamId)).length;
      const event = { type: 'Tick', data: { pid: process.pid }, metadata: { eventId: crypto.randomUUID(),
        actorId: null, occurredAt: new Date().toISOString(), correlationId: 'c', causationId: null, schemaVersion: 1 } };
      try {
        await store.append(streamId, version, [event]);
        report.appended++;
      } catch (err) {
        if (err instanceof WrongExpectedVersion) report.conflicts++;
        else report.errors.push(String(err));
      }
    }
    await store.close();
    process.stdout.write(JSON.stringify(report) + '\\n');
    process.exit(0);
  });
`;

function spawnAppender(file: string, streamId: string, count: number) {
  const child = spawn(process.execPath, ['-e', APPENDER, file, streamId, String(count)], {
    cwd: join(__dirname, '../../..'), // resolve @swc/core from the project's node_modules
    env: { ...process.env, ADAPTER: join(__dirname, 'sqlite-event-store.ts'), PORT: join(__dirname, 'event-store.ts') },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  let onReady = () => undefined as void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.startsWith('ready\n')) onReady();
  });
  const done = new Promise<unknown>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length))) : reject(new Error(`appender exited ${code}: ${out}`)),
    );
  });
  return { ready, done, go: () => child.stdin.end('go\n') };
}
