// Which organization an event belongs to, from its stream id.
import type { StoredEvent } from '../../platform/event-store/event-store';

const PREFIXES = ['organization-', 'activity-'];

export function orgIdOf(event: Pick<StoredEvent, 'streamId'>): string | null {
  const prefix = PREFIXES.find((p) => event.streamId.startsWith(p));
  return prefix ? event.streamId.slice(prefix.length) : null;
}

export const isOrganizationEvent = (event: Pick<StoredEvent, 'streamId'>) => event.streamId.startsWith('organization-');
