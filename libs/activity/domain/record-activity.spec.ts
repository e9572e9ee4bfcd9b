import { deciderSpec } from '../../platform/testing/decider';
import { Forbidden, InvalidInput, OrganizationNotFound } from '../../organizations/domain/errors';
import type { OrganizationEvent } from '../../organizations/domain/events';
import { emptyOrganization, evolve, type Organization } from '../../organizations/domain/organization';
import { adam, deleted, left, mia, NOW, nora, olivia, ORG_ID, removed, team } from '../../organizations/domain/testing/fixtures';
import { ActorNotMember, NotOwnActivity } from './errors';
import type { ActivityEvent } from './events';
import { recordActivity, type ActivityItemInput, type RecordActivity } from './record-activity';

// Given the organization's events; when RecordActivity; then the activity events (or an error).
const spec = deciderSpec<Organization, RecordActivity, OrganizationEvent | ActivityEvent>({
  initial: () => emptyOrganization(ORG_ID),
  evolve: (state, event, occurredAt) => evolve(state, event as OrganizationEvent, occurredAt),
  decide: recordActivity,
});

const SERVICE = 'importer-service';
const asMember = (sub: string, ...items: ActivityItemInput[]): RecordActivity => ({
  orgId: ORG_ID,
  items,
  caller: { sub, scopes: [] },
  now: NOW,
});
const asService = (...items: ActivityItemInput[]): RecordActivity => ({
  orgId: ORG_ID,
  items,
  caller: { sub: SERVICE, scopes: ['openid', 'activity:ingest'] },
  now: NOW,
});
const RECORDED_AT = NOW.toISOString();
const data = (actorId: string, more: { itemId?: string; occurredAt?: string; subject?: string } = {}) => ({
  itemId: more.itemId ?? null,
  actorId,
  occurredAt: more.occurredAt ?? RECORDED_AT,
  subject: more.subject ?? null,
});

/** The InvalidInput thrown, for checking which field it names. */
function invalidField(cmd: RecordActivity, history = team()): string | undefined {
  try {
    recordActivity(history.reduce((s, e) => evolve(s, e, RECORDED_AT), emptyOrganization(ORG_ID)), cmd);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInput);
    return (error as InvalidInput).field;
  }
  throw new Error('nothing was thrown');
}

describe('RecordActivity with a member token', () => {
  it('records one event per item, the caller being the actor, at the time of recording by default', () => {
    spec
      .given(...team())
      .when(asMember(mia.userId, { type: 'asset_imported' }, { type: 'asset_deployed', subject: 'Portal' }, { type: 'audit_run' }))
      .then([
        { type: 'AssetImported', data: data('mia') },
        { type: 'AssetDeployed', data: data('mia', { subject: 'Portal' }) },
        { type: 'AuditRun', data: data('mia') },
      ]);
  });

  it("keeps the item's id and its own time, normalized to UTC", () => {
    spec
      .given(...team())
      .when(asMember(adam.userId, { type: 'audit_run', id: 'job-7', occurredAt: '2026-01-02T12:30:00+02:00', subject: 'site' }))
      .then([{ type: 'AuditRun', data: data('adam', { itemId: 'job-7', occurredAt: '2026-01-02T10:30:00.000Z', subject: 'site' }) }]);
  });

  it('accepts the caller naming themselves as the actor', () => {
    spec
      .given(...team())
      .when(asMember(olivia.userId, { type: 'asset_imported', actorId: 'olivia' }))
      .then([{ type: 'AssetImported', data: data('olivia') }]);
  });

  it('records an id seen before again (the read side counts it once)', () => {
    spec
      .given(...team())
      .when(asMember(mia.userId, { type: 'asset_imported', id: 'a' }, { type: 'asset_imported', id: 'a' }))
      .then([
        { type: 'AssetImported', data: data('mia', { itemId: 'a' }) },
        { type: 'AssetImported', data: data('mia', { itemId: 'a' }) },
      ]);
  });

  it('refuses an item naming another actor → NotOwnActivity (403 forbidden)', () => {
    spec.given(...team()).when(asMember(mia.userId, { type: 'audit_run' }, { type: 'audit_run', actorId: 'adam' })).thenThrows(NotOwnActivity);
    expect(new NotOwnActivity('items.1.actorId').code).toBe('forbidden');
  });

  it('refuses a role lacking the permission → Forbidden', () => {
    // Every role holds the activity permissions today; a role outside the matrix holds none.
    const state = spec.given(...team()).state();
    state.members.get('mia')!.role = 'intern' as never;
    expect(() => recordActivity(state, asMember(mia.userId, { type: 'asset_imported' }))).toThrow(Forbidden);
  });

  it('hides the organization from a non-member → OrganizationNotFound', () => {
    spec.given(...team()).when(asMember(nora.userId, { type: 'audit_run' })).thenThrows(OrganizationNotFound);
  });

  it('hides it from a removed member, even naming themselves → OrganizationNotFound', () => {
    spec.given(...team(), removed('mia', 'member')).when(asMember(mia.userId, { type: 'audit_run', actorId: 'mia' })).thenThrows(OrganizationNotFound);
  });

  it('a non-member naming another actor still learns nothing → OrganizationNotFound', () => {
    spec.given(...team()).when(asMember(nora.userId, { type: 'audit_run', actorId: 'mia' })).thenThrows(OrganizationNotFound);
  });

  it('hides a deleted organization → OrganizationNotFound', () => {
    spec.given(...team(), deleted()).when(asMember(olivia.userId, { type: 'audit_run' })).thenThrows(OrganizationNotFound);
  });

  it('hides an organization that never existed → OrganizationNotFound', () => {
    spec.given().when(asMember(olivia.userId, { type: 'audit_run' })).thenThrows(OrganizationNotFound);
  });
});

describe('RecordActivity with a service token (scope activity:ingest)', () => {
  it('records for the named active members', () => {
    spec
      .given(...team())
      .when(asService({ type: 'asset_imported', actorId: 'mia', id: 'x1' }, { type: 'asset_deployed', actorId: 'olivia' }))
      .then([
        { type: 'AssetImported', data: data('mia', { itemId: 'x1' }) },
        { type: 'AssetDeployed', data: data('olivia') },
      ]);
  });

  it('requires actorId → InvalidInput on items.<i>.actorId', () => {
    spec.given(...team()).when(asService({ type: 'audit_run', actorId: 'mia' }, { type: 'audit_run' })).thenThrows(InvalidInput);
    expect(invalidField(asService({ type: 'audit_run', actorId: 'mia' }, { type: 'audit_run' }))).toBe('items.1.actorId');
  });

  it('refuses an actor who is not a member → ActorNotMember (422 actor_not_member)', () => {
    spec.given(...team()).when(asService({ type: 'audit_run', actorId: 'nora' })).thenThrows(ActorNotMember);
    expect(new ActorNotMember('items.0.actorId').code).toBe('actor_not_member');
  });

  it('refuses an actor who left → ActorNotMember', () => {
    spec.given(...team(), left('mia', 'member')).when(asService({ type: 'audit_run', actorId: 'mia' })).thenThrows(ActorNotMember);
  });

  it('refuses itself as the actor (a service is no member) → ActorNotMember', () => {
    spec.given(...team()).when(asService({ type: 'audit_run', actorId: SERVICE })).thenThrows(ActorNotMember);
  });

  it('refuses an actor whose role lacks the permission → Forbidden', () => {
    const state = spec.given(...team()).state();
    state.members.get('mia')!.role = 'intern' as never;
    expect(() => recordActivity(state, asService({ type: 'audit_run', actorId: 'mia' }))).toThrow(Forbidden);
  });

  it('an unknown organization → OrganizationNotFound', () => {
    spec.given().when(asService({ type: 'audit_run', actorId: 'mia' })).thenThrows(OrganizationNotFound);
  });

  it('a deleted organization → OrganizationNotFound', () => {
    spec.given(...team(), deleted()).when(asService({ type: 'audit_run', actorId: 'mia' })).thenThrows(OrganizationNotFound);
  });

  it('a service token whose sub happens to be a member is still a service: actorId required', () => {
    const cmd = { ...asService({ type: 'audit_run' }), caller: { sub: 'mia', scopes: ['activity:ingest'] } };
    spec.given(...team()).when(cmd).thenThrows(InvalidInput);
  });
});

describe('RecordActivity input (InvalidInput, whoever calls)', () => {
  const item = { type: 'audit_run' };
  const many = (n: number) => Array.from({ length: n }, () => item);

  it('accepts 1000 items', () => {
    expect(spec.given(...team()).when(asMember('mia', ...many(1000))).then(expect.any(Array))).toHaveLength(1000);
  });

  it.each<[string, ActivityItemInput[], string]>([
    ['no items', [], 'items'],
    ['1001 items', many(1001), 'items'],
    ['an unknown type', [item, { type: 'asset_deleted' }], 'items.1.type'],
    ['a type inherited from Object', [{ type: 'toString' }], 'items.0.type'],
    ['an empty id', [{ ...item, id: '' }], 'items.0.id'],
    ['an id of 201 characters', [{ ...item, id: 'x'.repeat(201) }], 'items.0.id'],
    ['an id that is not a string', [{ ...item, id: 7 as never }], 'items.0.id'],
    ['occurredAt without a time zone', [{ ...item, occurredAt: '2026-01-02T10:00:00' }], 'items.0.occurredAt'],
    ['occurredAt that is no date', [{ ...item, occurredAt: '2026-02-30T10:00:00Z' }], 'items.0.occurredAt'],
    ['a subject of 501 characters', [{ ...item, subject: 's'.repeat(501) }], 'items.0.subject'],
    ['an empty actorId', [{ ...item, actorId: '' }], 'items.0.actorId'],
    ['an actorId that is not a string', [{ ...item, actorId: null as never }], 'items.0.actorId'],
    ['an item that is not an object', [item, null as never], 'items.1'],
  ])('refuses %s', (_, items, field) => {
    spec.given(...team()).when(asMember('mia', ...items)).thenThrows(InvalidInput);
    expect(invalidField(asMember('mia', ...items))).toBe(field);
    expect(invalidField(asService(...items))).toBe(field);
  });

  it('accepts limits: an id of 200 characters, a subject of 500 (counted in characters), an empty subject', () => {
    const emoji = '😀'.repeat(500);
    spec
      .given(...team())
      .when(asMember('mia', { ...item, id: 'i'.repeat(200), subject: emoji }, { ...item, subject: '' }))
      .then([
        { type: 'AuditRun', data: data('mia', { itemId: 'i'.repeat(200), subject: emoji }) },
        { type: 'AuditRun', data: data('mia', { subject: '' }) },
      ]);
  });

  it('checks the input before the caller: a non-member sending a bad item gets InvalidInput', () => {
    spec.given(...team()).when(asMember(nora.userId, { type: 'nope' })).thenThrows(InvalidInput);
  });
});
