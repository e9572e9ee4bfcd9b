// The conformance suite every adapter of the event-store port must pass. Call it from the adapter's spec:
//
//   eventStoreConformance('sqlite', async () => ({ store, reopen, cleanup }));
//   eventStoreConformance('eventstoredb', { skip: 'EVENTSTORE_URL not set' }); // server not configured
//
// `open` runs before every test and gives a fresh store; `reopen` (optional) opens a new store on the same
// data, as after a restart. The suite closes every store it was given (close() is idempotent by contract),
// then calls `cleanup` to drop the adapter's own resources (temp files, connections...).
// Stream ids are random per test and reads ignore foreign streams, so a shared server with old data is fine.
import { randomUUID } from 'node:crypto';
import { EventStore, NewEvent, StoredEvent, WrongExpectedVersion } from './event-store';

export type OpenedEventStore = {
  store: EventStore;
  reopen?: () => Promise<EventStore>;
  cleanup: () => Promise<void>;
};

const TIMEOUT_MS = 20_000; // generous: real servers and polling adapters are slower than memory

export function eventStoreConformance(
  adapterName: string,
  open: (() => Promise<OpenedEventStore>) | { skip: string },
): void {
  describe(`event store conformance: ${adapterName}`, () => {
    if (typeof open !== 'function') {
      // Visible in the run output twice: as a warning and as a skipped test carrying the reason.
      console.warn(`event store conformance: ${adapterName} SKIPPED (${open.skip})`);
      it.skip(`SKIPPED (${open.skip})`, () => undefined);
      return;
    }

    let store: EventStore;
    let reopen: (() => Promise<EventStore>) | undefined;
    let cleanup: () => Promise<void>;
    let stores: EventStore[];

    beforeEach(async () => {
      const opened = await open();
      store = opened.store;
      stores = [store];
      cleanup = opened.cleanup;
      const reopenStore = opened.reopen;
      reopen = reopenStore && (async () => {
        const again = await reopenStore();
        stores.push(again);
        return again;
      });
    });

    afterEach(async () => {
      for (const s of stores) await s.close();
      await cleanup();
    });

    it('appends to a new stream with expectedVersion 0; versions count events, positions increase', async () => {
      const stream = streamId('new');
      const first = await store.append(stream, 0, [event('A'), event('B'), event('C')]);
      expect(first.streamVersion).toBe(3);
      expect(first.position).toBeGreaterThan(0);

      const second = await store.append(stream, 3, [event('D')]);
      expect(second.streamVersion).toBe(4);
      expect(second.position).toBeGreaterThan(first.position);

      const stored = await store.readStream(stream);
      expect(stored.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4]);
      expectStrictlyIncreasing(stored.map((e) => e.position));
      expect(stored[2].position).toBe(first.position);
      expect(stored[3].position).toBe(second.position);
    }, TIMEOUT_MS);

    it("appends with expectedVersion 'any' whatever the stream's version, creating it if needed", async () => {
      const stream = streamId('any');
      expect((await store.append(stream, 'any', [event('A')])).streamVersion).toBe(1);
      expect((await store.append(stream, 'any', [event('B'), event('C')])).streamVersion).toBe(3);
      expect((await store.readStream(stream)).map((e) => [e.type, e.streamVersion])).toEqual([
        ['A', 1],
        ['B', 2],
        ['C', 3],
      ]);
    }, TIMEOUT_MS);

    it('readStream pages with afterVersion and limit', async () => {
      const stream = streamId('paged');
      await store.append(stream, 0, [event('A'), event('B'), event('C'), event('D'), event('E')]);
      expect((await store.readStream(stream, 0, 2)).map((e) => e.type)).toEqual(['A', 'B']);
      expect((await store.readStream(stream, 2, 2)).map((e) => e.type)).toEqual(['C', 'D']);
      expect((await store.readStream(stream, 4, 2)).map((e) => e.type)).toEqual(['E']);
    }, TIMEOUT_MS);

    it('readStream round-trips type, data and metadata exactly, in order; afterVersion filters', async () => {
      const stream = streamId('roundtrip');
      const events: NewEvent[] = [
        event('MemberInvited', {
          email: 'zoë@example.com',
          name: 'Zoë Ñúñez 日本語 🎉 👩‍👩‍👧 "quoted" \\ back\tslash\nnewline',
          nested: { roles: ['admin', 'viewer'], limits: { seats: 12, ratio: 0.1, tiny: 1e-7, big: Number.MAX_SAFE_INTEGER } },
          negative: -42,
          flags: [true, false, null],
          empty: { list: [], object: {}, text: '' },
        }),
        event('RoleChanged', 7, { actorId: null, causationId: null }),
        event('Chained', ['x', { y: 'z' }], { prevHash: 'a'.repeat(64), hash: 'b'.repeat(64) }),
        event('Nothing', null),
      ];
      await store.append(stream, 0, events);

      const stored = await store.readStream(stream);
      expect(stored).toHaveLength(4);
      stored.forEach((e, i) => {
        expect(e.streamId).toBe(stream);
        expect(e.streamVersion).toBe(i + 1);
        expect({ type: e.type, data: e.data, metadata: e.metadata }).toStrictEqual(events[i]);
      });
      expectStrictlyIncreasing(stored.map((e) => e.position));

      const after2 = await store.readStream(stream, 2);
      expect(after2.map((e) => e.type)).toEqual(['Chained', 'Nothing']);
      expect(after2).toEqual(stored.slice(2));
      expect(await store.readStream(stream, 4)).toEqual([]);
      expect(await store.readStream(streamId('missing'))).toEqual([]);
    }, TIMEOUT_MS);

    it('rejects a stale expected version with WrongExpectedVersion carrying expected and actual; writes nothing', async () => {
      const stream = streamId('stale');
      await store.append(stream, 0, [event('A'), event('B')]);
      const before = await store.readStream(stream);

      const stale = await rejection(store.append(stream, 1, [event('C')]));
      expect(stale).toBeInstanceOf(WrongExpectedVersion);
      expect(stale).toMatchObject({ streamId: stream, expected: 1, actual: 2 });

      const ahead = await rejection(store.append(stream, 5, [event('C')]));
      expect(ahead).toBeInstanceOf(WrongExpectedVersion);
      expect(ahead).toMatchObject({ streamId: stream, expected: 5, actual: 2 });

      expect(await store.readStream(stream)).toEqual(before);
    }, TIMEOUT_MS);

    it('rejects expectedVersion 0 on an existing stream', async () => {
      const stream = streamId('exists');
      await store.append(stream, 0, [event('A')]);

      const err = await rejection(store.append(stream, 0, [event('B')]));
      expect(err).toBeInstanceOf(WrongExpectedVersion);
      expect(err).toMatchObject({ expected: 0, actual: 1 });
      expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['A']);
    }, TIMEOUT_MS);

    it('lets exactly one of two concurrent appends with the same expected version win', async () => {
      const stream = streamId('race');
      await store.append(stream, 0, [event('Start')]);
      const one = [event('One')];
      const two = [event('Two1'), event('Two2')];

      const results = await Promise.allSettled([store.append(stream, 1, one), store.append(stream, 1, two)]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);

      const winner = results[0].status === 'fulfilled' ? one : two;
      expect(lost[0].reason).toBeInstanceOf(WrongExpectedVersion);
      expect(lost[0].reason).toMatchObject({ expected: 1, actual: 1 + winner.length });

      const stored = await store.readStream(stream);
      expect(stored.map((e) => e.type)).toEqual(['Start', ...winner.map((e) => e.type)]);
    }, TIMEOUT_MS);

    it('appends a batch atomically: a duplicate event id fails the whole batch', async () => {
      const existing = streamId('dup-existing');
      const target = streamId('dup-target');
      const taken = event('Taken');
      await store.append(existing, 0, [taken]);

      const fresh1 = event('Fresh1');
      const fresh2 = event('Fresh2');
      const dup = event('Dup', undefined, { eventId: taken.metadata.eventId });
      await expect(store.append(target, 0, [fresh1, dup, fresh2])).rejects.toThrow();
      // Same stream too: the version must not move.
      await expect(store.append(existing, 1, [event('Fresh3'), dup])).rejects.toThrow();

      expect(await store.readStream(target)).toEqual([]);
      expect((await store.readStream(existing)).map((e) => e.type)).toEqual(['Taken']);
      // Had Fresh1/Fresh2 been stored, their ids would now be duplicates and versions would have moved.
      await expect(store.append(target, 0, [fresh1, fresh2])).resolves.toMatchObject({ streamVersion: 2 });
      await expect(store.append(existing, 1, [event('Next')])).resolves.toMatchObject({ streamVersion: 2 });
    }, TIMEOUT_MS);

    it('readAll pages through several streams in global append order without gaps or repeats', async () => {
      const start = await store.headPosition();
      const a = streamId('all-a');
      const b = streamId('all-b');
      const c = streamId('all-c');
      const appended: NewEvent[] = [];
      const append = async (stream: string, expected: number, events: NewEvent[]) => {
        await store.append(stream, expected, events);
        appended.push(...events);
      };
      await append(a, 0, [event('A1'), event('A2')]);
      await append(b, 0, [event('B1')]);
      await append(a, 2, [event('A3')]);
      await append(c, 0, [event('C1'), event('C2'), event('C3')]);
      await append(b, 1, [event('B2')]);
      const ours = new Set([a, b, c]);

      const everything = await readAllFrom(store, start, 1000);
      const paged = await readAllFrom(store, start, 3);
      expectStrictlyIncreasing(paged.map((e) => e.position));
      // Same sequence whatever the page size (a shared server may have grown in between, hence the prefix).
      expect(paged.slice(0, everything.length)).toEqual(everything);

      const mine = paged.filter((e) => ours.has(e.streamId));
      expect(mine.map((e) => e.type)).toEqual(appended.map((e) => e.type));
      expect(mine.map((e) => e.metadata.eventId)).toEqual(appended.map((e) => e.metadata.eventId));
      expect(mine.filter((e) => e.streamId === a).map((e) => e.streamVersion)).toEqual([1, 2, 3]);

      // Each page starts right after the previous one's last position.
      const firstPage = await store.readAll(start, 2);
      const secondPage = await store.readAll(firstPage[1].position, 2);
      expect([...firstPage, ...secondPage]).toEqual(everything.slice(0, 4));
      expect(await store.readAll(start, 0)).toEqual([]);

      // The head is the position of the last appended event: at or after ours, and an event really has it.
      const head = await store.headPosition();
      expect(head).toBeGreaterThanOrEqual(mine[mine.length - 1].position);
      const upToHead = await readAllFrom(store, start, 100);
      expect(upToHead.map((e) => e.position)).toContain(head);
    }, TIMEOUT_MS);

    it('onAppended fires after an append with a position at or after it; unsubscribe stops it', async () => {
      const seen = recorder();
      const unsubscribe = store.onAppended(seen.listener);
      const stream = streamId('notify');
      const { position } = await store.append(stream, 0, [event('A'), event('B')]);
      await seen.reached(position, 10_000);

      unsubscribe();
      const countAtUnsubscribe = seen.positions.length;
      await store.append(stream, 2, [event('C')]);
      await sleep(500); // a negative can only be shown by waiting; longer than any sane poll interval
      expect(seen.positions.slice(countAtUnsubscribe)).toEqual([]);
    }, TIMEOUT_MS);

    it('keeps everything across a restart, and new appends continue the versions', async () => {
      if (!reopen) {
        console.warn(`event store conformance: ${adapterName} has no reopen; restart not exercised`);
        return;
      }
      const start = await store.headPosition();
      const a = streamId('restart-a');
      const b = streamId('restart-b');
      await store.append(a, 0, [event('A1', { n: 1 }), event('A2', { n: 2 })]);
      await store.append(b, 0, [event('B1', { text: 'héllo' })]);
      const streamA = await store.readStream(a);
      const streamB = await store.readStream(b);
      const all = await readAllFrom(store, start, 100);
      const head = await store.headPosition();
      await store.close();

      const again = await reopen();
      expect(await again.readStream(a)).toEqual(streamA);
      expect(await again.readStream(b)).toEqual(streamB);
      expect((await readAllFrom(again, start, 100)).slice(0, all.length)).toEqual(all);
      expect(await again.headPosition()).toBeGreaterThanOrEqual(head);

      await expect(again.append(a, 0, [event('Again')])).rejects.toBeInstanceOf(WrongExpectedVersion);
      const next = await again.append(a, 2, [event('A3')]);
      expect(next.streamVersion).toBe(3);
      expect(next.position).toBeGreaterThan(head);
      expect((await again.readStream(a)).map((e) => e.type)).toEqual(['A1', 'A2', 'A3']);
    }, TIMEOUT_MS);
  });
}

function streamId(kind: string): string {
  return `conformance-${kind}-${randomUUID()}`;
}

function event(type: string, data: unknown = { type }, metadata: Partial<NewEvent['metadata']> = {}): NewEvent {
  return {
    type,
    data,
    metadata: {
      eventId: randomUUID(),
      actorId: 'user-1',
      occurredAt: new Date().toISOString(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      schemaVersion: 1,
      ...metadata,
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

async function readAllFrom(store: EventStore, afterPosition: number, pageSize: number): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (let after = afterPosition; ; ) {
    const page = await store.readAll(after, pageSize);
    expect(page.length).toBeLessThanOrEqual(pageSize);
    if (page.length === 0) return events;
    // Guard against an adapter that ignores afterPosition: that would otherwise loop forever.
    expect(page[0].position).toBeGreaterThan(after);
    events.push(...page);
    after = page[page.length - 1].position;
  }
}

function expectStrictlyIncreasing(values: number[]): void {
  values.slice(1).forEach((v, i) => expect(v).toBeGreaterThan(values[i]));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Records notified positions; `reached` waits (woken by the listener, not by polling) for one >= min. */
function recorder() {
  const positions: number[] = [];
  let wake: () => void = () => undefined;
  return {
    positions,
    listener: (position: number) => {
      positions.push(position);
      wake();
    },
    async reached(min: number, timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!positions.some((p) => p >= min)) {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(`onAppended never reported position >= ${min} in ${timeoutMs} ms (saw ${positions.join(', ') || 'nothing'})`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
  };
}
