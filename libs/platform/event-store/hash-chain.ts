// Tamper evidence for organization streams: each event's hash covers the previous hash and the
// event's canonical JSON (RFC 8785, via `canonicalize`), so anyone holding an export can recompute
// the chain from the first event without trusting the database.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { NewEvent, StoredEvent } from './event-store';

export const GENESIS_HASH = '0'.repeat(64);

type Hashable = Pick<NewEvent, 'type' | 'data' | 'metadata'> & { streamVersion: number };

export function eventHash(prevHash: string, event: Hashable): string {
  const { hash: _hash, prevHash: _prev, ...metadata } = event.metadata;
  const body = canonicalize({ streamVersion: event.streamVersion, type: event.type, data: event.data, metadata });
  return createHash('sha256').update(prevHash).update('\n').update(body!).digest('hex');
}

/** Stamps prevHash and hash on events about to be appended after `prevHash` at `fromVersion`. */
export function chain(prevHash: string, fromVersion: number, events: NewEvent[]): NewEvent[] {
  let previous = prevHash;
  return events.map((event, i) => {
    const metadata = { ...event.metadata, prevHash: previous };
    const hash = eventHash(previous, { ...event, metadata, streamVersion: fromVersion + i + 1 });
    previous = hash;
    return { ...event, metadata: { ...metadata, hash } };
  });
}

/** The version of the first event whose chain link is broken, or null when the whole stream verifies. */
export function firstBrokenLink(events: StoredEvent[]): number | null {
  let previous = GENESIS_HASH;
  for (const event of events) {
    if (event.metadata.prevHash !== previous || eventHash(previous, event) !== event.metadata.hash) {
      return event.streamVersion;
    }
    previous = event.metadata.hash!;
  }
  return null;
}
