// Loads an organization's state (cached per organization, extended by only the events appended
// since), runs one command through `decide`, and appends the result with the version it read.
// A version conflict (another process appended first) reloads and decides again; `decide` is pure,
// so that is safe. Commands on one organization queue on a keyed lock within this process.
import { decide, actorOf, type OrganizationCommand } from '../domain/commands';
import { organizationStream, type OrganizationEvent } from '../domain/events';
import { emptyOrganization, evolve, type Organization } from '../domain/organization';
import { DomainError } from '../domain/errors';
import type { EventStore, NewEvent, StoredEvent } from '../../platform/event-store/event-store';
import { WrongExpectedVersion } from '../../platform/event-store/event-store';
import { chain, GENESIS_HASH } from '../../platform/event-store/hash-chain';
import { keyedLock } from '../../platform/keyed-lock';
import { envelope, type CommandContext } from '../../platform/event-store/envelope';
export type { CommandContext };

/** Events read per query when folding a stream. */
const LOAD_PAGE = 5000;

export class ConcurrencyConflict extends Error {
  readonly code = 'concurrency_conflict';
  constructor() {
    super('the organization changed concurrently too often; try again');
  }
}

export type CommandOutcome = {
  state: Organization;
  events: NewEvent[];
  /** Global position of the last appended event; when the decision changed nothing, that of the
   * organization's latest event (what a read must include to reflect the unchanged state). */
  position: number;
};

/** How a command settled: appended (ok), changed nothing (unchanged), refused by a rule (rejected, with
 * its code), still conflicting after the retries (conflict), or failed otherwise (error). */
export type CommandReport = {
  type: OrganizationCommand['type'];
  outcome: 'ok' | 'unchanged' | 'rejected' | 'conflict' | 'error';
  code?: string;
  /** Version conflicts retried (another writer appended first). */
  retries: number;
};

type Entry = { state: Organization; version: number; lastHash: string; lastPosition: number };
type Versioned = Pick<StoredEvent, 'type' | 'data' | 'metadata' | 'streamVersion' | 'position'>;

export function organizationRepository(store: EventStore, options: { maxCached?: number; retries?: number } = {}) {
  const maxCached = options.maxCached ?? 10_000;
  const retries = options.retries ?? 5;
  const cache = new Map<string, Entry>();
  const withLock = keyedLock();
  const listeners = new Set<(report: CommandReport) => void>();

  function report(cmd: OrganizationCommand, outcome: CommandReport['outcome'], retries: number, code?: string) {
    for (const listener of listeners) {
      try {
        listener({ type: cmd.type, outcome, code, retries });
      } catch {
        // an observer never fails a command
      }
    }
  }

  // Applies only events the entry has not seen: a read and a command may catch up concurrently.
  function apply(entry: Entry, events: Versioned[]) {
    for (const event of events) {
      if (event.streamVersion !== entry.version + 1) continue;
      evolve(entry.state, event as unknown as OrganizationEvent, event.metadata.occurredAt);
      entry.version = event.streamVersion;
      entry.lastHash = event.metadata.hash ?? entry.lastHash;
      entry.lastPosition = event.position;
    }
  }

  async function load(orgId: string): Promise<Entry> {
    let entry = cache.get(orgId) ?? { state: emptyOrganization(orgId), version: 0, lastHash: GENESIS_HASH, lastPosition: 0 };
    // In pages, so that the first load of a large organization never holds its whole stream in memory.
    for (;;) {
      const from = entry.version;
      const events = await store.readStream(organizationStream(orgId), from, LOAD_PAGE);
      apply(entry, events);
      if (events.length < LOAD_PAGE || entry.version === from) break;
    }
    // Another load may have cached this organization meanwhile: keep whichever has seen more.
    const cached = cache.get(orgId);
    if (cached && cached !== entry && cached.version >= entry.version) entry = cached;
    if (entry.version > 0) {
      cache.delete(orgId); // re-insert: a Map's order is the LRU order
      cache.set(orgId, entry);
      if (cache.size > maxCached) cache.delete(cache.keys().next().value!);
    }
    return entry;
  }

  return {
    /** The current state, as of the store's latest append (strongly consistent, for authorization). */
    async read(orgId: string): Promise<Organization> {
      return (await load(orgId)).state;
    },

    execute(cmd: OrganizationCommand, context: CommandContext): Promise<CommandOutcome> {
      let conflicts = 0;
      const run = withLock(cmd.orgId, async () => {
        for (let attempt = 0; ; attempt++) {
          const entry = await load(cmd.orgId);
          const decided = decide(entry.state, cmd);
          if (decided.length === 0) return { state: entry.state, events: [], position: entry.lastPosition };
          const expected = entry.version;
          const events = chain(entry.lastHash, expected, decided.map((e) => envelope(e, actorOf(cmd), cmd.now, context)));
          try {
            const { position } = await store.append(organizationStream(cmd.orgId), expected, events);
            // Positions of the events before the last are not known here; only the last one is kept.
            apply(entry, events.map((e, i) => ({ ...e, streamVersion: expected + i + 1, position })));
            return { state: entry.state, events, position };
          } catch (error) {
            if (!(error instanceof WrongExpectedVersion)) throw error;
            if (attempt >= retries) throw new ConcurrencyConflict();
            conflicts++;
          }
        }
      });
      return run.then(
        (outcome) => (report(cmd, outcome.events.length > 0 ? 'ok' : 'unchanged', conflicts), outcome),
        (error: unknown) => {
          if (error instanceof ConcurrencyConflict) report(cmd, 'conflict', conflicts, error.code);
          else if (error instanceof DomainError) report(cmd, 'rejected', conflicts, error.code);
          else report(cmd, 'error', conflicts);
          throw error;
        },
      );
    },

    /** The observer hook (metrics): `listener` hears how each command settled; returns an unsubscribe. */
    onCommand(listener: (report: CommandReport) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
export type OrganizationRepository = ReturnType<typeof organizationRepository>;
