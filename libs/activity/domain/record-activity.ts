// Recording what members did elsewhere in the product (API.md, Activity): one event per item on the
// organization's activity stream. Who may record what is decided here, from the organization's
// write-side state; the HTTP DTOs check the body's shape with the same predicates, but the rules live here.
import { ACTIVITY_INGEST_SCOPE } from '../../platform/auth/principal';
import { InvalidInput, OrganizationNotFound } from '../../organizations/domain/errors';
import type { Organization } from '../../organizations/domain/organization';
import { requireMembership, requirePermission } from '../../organizations/domain/permissions';
import { ActorNotMember, NotOwnActivity } from './errors';
import { ACTIVITY_TYPES, type ActivityEvent, type ActivityType } from './events';
import { parseInstant } from './instant';

export const MIN_ITEMS = 1;
export const MAX_ITEMS = 1000;
export const MAX_ITEM_ID_LENGTH = 200;
export const MAX_SUBJECT_LENGTH = 500;
/** A user id is a token's `sub`, which the token verifier limits to 255 characters. */
export const MAX_ACTOR_ID_LENGTH = 255;

/** One item as the caller sends it (unknown fields are refused by the HTTP layer). */
export type ActivityItemInput = {
  type: string;
  id?: string;
  /** ISO 8601 with a time zone; defaults to the time of recording. */
  occurredAt?: string;
  subject?: string;
  actorId?: string;
};

export type RecordActivity = {
  orgId: string;
  items: ActivityItemInput[];
  caller: { sub: string; scopes: string[] };
  now: Date;
};

const chars = (s: string) => [...s].length;
export const isActivityType = (value: unknown): value is ActivityType =>
  typeof value === 'string' && Object.hasOwn(ACTIVITY_TYPES, value);
export const isItemId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && chars(value) <= MAX_ITEM_ID_LENGTH;
export const isSubject = (value: unknown): value is string => typeof value === 'string' && chars(value) <= MAX_SUBJECT_LENGTH;
export const isActorId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && chars(value) <= MAX_ACTOR_ID_LENGTH;
export const isOccurredAt = (value: unknown): value is string => parseInstant(value) !== null;

/** The item's field in API errors, written as the validation pipe writes nested fields: `items.3.type`. */
export const itemField = (index: number, field: keyof ActivityItemInput) => `items.${index}.${field}`;

/** A service token (scope `activity:ingest`) records on behalf of members; it is not a member itself. */
export const isServiceCaller = (caller: RecordActivity['caller']) => caller.scopes.includes(ACTIVITY_INGEST_SCOPE);

type ValidItem = { type: ActivityType; id: string | null; occurredAt: string; subject: string | null; actorId: string | null };

export function recordActivity(state: Organization, cmd: RecordActivity): ActivityEvent[] {
  const items = validItems(cmd);
  const service = isServiceCaller(cmd.caller);
  if (service) {
    // Any live organization; each item names an active member who has the type's permission.
    if (state.status !== 'active') throw new OrganizationNotFound();
    items.forEach((item, i) => {
      if (item.actorId === null) throw new InvalidInput(itemField(i, 'actorId'), 'is required with a service token');
      if (!state.members.has(item.actorId)) throw new ActorNotMember(itemField(i, 'actorId'));
      requirePermission(state, item.actorId, ACTIVITY_TYPES[item.type].permission);
    });
  } else {
    // A member records their own activity only, and needs the type's permission.
    requireMembership(state, cmd.caller.sub);
    items.forEach((item, i) => {
      if (item.actorId !== null && item.actorId !== cmd.caller.sub) throw new NotOwnActivity(itemField(i, 'actorId'));
      requirePermission(state, cmd.caller.sub, ACTIVITY_TYPES[item.type].permission);
    });
  }
  return items.map((item) => ({
    type: ACTIVITY_TYPES[item.type].event,
    data: {
      itemId: item.id,
      actorId: service ? item.actorId! : cmd.caller.sub,
      occurredAt: item.occurredAt,
      subject: item.subject,
    },
  }));
}

/** Input no organization state could make valid → InvalidInput naming the field. */
function validItems(cmd: RecordActivity): ValidItem[] {
  if (!Array.isArray(cmd.items) || cmd.items.length < MIN_ITEMS || cmd.items.length > MAX_ITEMS) {
    throw new InvalidInput('items', `must hold ${MIN_ITEMS} to ${MAX_ITEMS} items`);
  }
  const now = cmd.now.toISOString();
  return cmd.items.map((item, i) => {
    if (typeof item !== 'object' || item === null) throw new InvalidInput(`items.${i}`, 'must be an object');
    const { type, id, occurredAt, subject, actorId } = item;
    if (!isActivityType(type)) {
      throw new InvalidInput(itemField(i, 'type'), `must be one of ${Object.keys(ACTIVITY_TYPES).join(', ')}`);
    }
    if (id !== undefined && !isItemId(id)) {
      throw new InvalidInput(itemField(i, 'id'), `must be a string of 1 to ${MAX_ITEM_ID_LENGTH} characters`);
    }
    const at = occurredAt === undefined ? now : parseInstant(occurredAt);
    if (at === null) throw new InvalidInput(itemField(i, 'occurredAt'), 'must be an ISO 8601 date-time with a time zone');
    if (subject !== undefined && !isSubject(subject)) {
      throw new InvalidInput(itemField(i, 'subject'), `must be a string of at most ${MAX_SUBJECT_LENGTH} characters`);
    }
    if (actorId !== undefined && !isActorId(actorId)) {
      throw new InvalidInput(itemField(i, 'actorId'), `must be a user id of 1 to ${MAX_ACTOR_ID_LENGTH} characters`);
    }
    return { type, id: id ?? null, occurredAt: at, subject: subject ?? null, actorId: actorId ?? null };
  });
}
