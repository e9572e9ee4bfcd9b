// Wraps a domain event ({ type, data }) in the metadata every stored event carries.
import { newId } from '../ids';
import type { NewEvent } from './event-store';

export type CommandContext = { correlationId: string; causationId?: string | null };

export const SCHEMA_VERSION = 1;

export function envelope(
  event: { type: string; data: unknown },
  actorId: string | null,
  occurredAt: Date,
  context: CommandContext,
): NewEvent {
  return {
    type: event.type,
    data: event.data,
    metadata: {
      eventId: newId(),
      actorId,
      occurredAt: occurredAt.toISOString(),
      correlationId: context.correlationId,
      causationId: context.causationId ?? null,
      schemaVersion: SCHEMA_VERSION,
    },
  };
}
