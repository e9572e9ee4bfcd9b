import type { Invitee } from './actor';
import { decide, type OrganizationCommand } from './commands';
import { DomainError } from './errors';
import type { OrganizationEvent } from './events';
import { displayName, effectiveStatus, emptyOrganization, evolve, type Organization } from './organization';
import {
  accepted,
  adam,
  created,
  declined,
  deleted,
  expired,
  fold,
  GIVEN_OCCURRED_AT,
  invited,
  ivy,
  IVY_INVITATION,
  joined,
  left,
  mia,
  NOW_PLUS_TTL,
  olivia,
  ORG_ID,
  removed,
  resent,
  revoked,
  roleChanged,
  SENT_EXPIRES_AT,
  team,
  teamWithIvyInvited,
  transferred,
} from './testing/fixtures';

/** The invariants every reachable state keeps. */
function expectInvariants(state: Organization) {
  const members = [...state.members.values()];
  // exactly one Owner, and it is ownerId
  expect(members.filter((m) => m.role === 'owner').map((m) => m.userId)).toEqual([state.ownerId]);
  // memberIdByEmail is exactly the members' emails
  expect(new Map(members.map((m) => [m.email, m.userId]))).toEqual(state.memberIdByEmail);
  // pendingInvitationByEmail is exactly the pending invitations, one per email
  const pending = [...state.invitations.values()].filter((i) => i.status === 'pending');
  expect(new Set(pending.map((i) => i.email)).size).toBe(pending.length);
  expect(new Map(pending.map((i) => [i.email, i.id]))).toEqual(state.pendingInvitationByEmail);
  // nobody is both a member and invited
  for (const email of state.pendingInvitationByEmail.keys()) expect(state.memberIdByEmail.has(email)).toBe(false);
}

describe('evolve', () => {
  it('starts with an empty organization', () => {
    expect(emptyOrganization(ORG_ID)).toMatchObject({ id: ORG_ID, status: 'none', ownerId: '' });
  });

  it('creates the organization at the event’s time, its creator the Owner', () => {
    const state = fold(created(), '2026-02-02T10:00:00.000Z');
    expect(state).toMatchObject({ id: ORG_ID, status: 'active', name: 'Acme', ownerId: 'olivia', createdAt: '2026-02-02T10:00:00.000Z' });
    expect(state.members.get('olivia')).toEqual({
      userId: 'olivia',
      email: 'olivia@example.com',
      name: 'Olivia',
      role: 'owner',
      joinedAt: '2026-02-02T10:00:00.000Z',
    });
    expectInvariants(state);
  });

  it('renames and deletes', () => {
    const state = fold([...team(), { type: 'OrganizationRenamed', data: { name: 'Beta', previousName: 'Acme', renamedBy: 'olivia' } }]);
    expect(state.name).toBe('Beta');
    expect(evolve(state, deleted(), GIVEN_OCCURRED_AT).status).toBe('deleted');
  });

  it('records an invitation as pending, first send, at the event’s time', () => {
    const state = emptyOrganization(ORG_ID);
    [...team()].forEach((e) => evolve(state, e, GIVEN_OCCURRED_AT));
    evolve(state, invited(IVY_INVITATION, ivy.email, 'admin', 'adam'), '2026-01-01T09:00:00.000Z');
    expect(state.invitations.get(IVY_INVITATION)).toEqual({
      id: IVY_INVITATION,
      email: 'ivy@example.com',
      role: 'admin',
      status: 'pending',
      invitedBy: 'adam',
      invitedAt: '2026-01-01T09:00:00.000Z',
      expiresAt: SENT_EXPIRES_AT,
      sendNumber: 1,
    });
    expect(state.pendingInvitationByEmail.get('ivy@example.com')).toBe(IVY_INVITATION);
    expectInvariants(state);
  });

  it('a resend moves the send number and expiry, keeping the invitation time', () => {
    const state = fold([...teamWithIvyInvited(), resent(IVY_INVITATION, 2, NOW_PLUS_TTL)], '2026-01-02T00:00:00.000Z');
    expect(state.invitations.get(IVY_INVITATION)).toMatchObject({
      status: 'pending',
      sendNumber: 2,
      expiresAt: NOW_PLUS_TTL,
      invitedAt: '2026-01-02T00:00:00.000Z',
    });
    expectInvariants(state);
  });

  it('a resend reopens an expired invitation in the pending index', () => {
    const state = fold([...teamWithIvyInvited(), expired(IVY_INVITATION)]);
    expect(state.pendingInvitationByEmail.has(ivy.email)).toBe(false);
    evolve(state, resent(IVY_INVITATION, 2, NOW_PLUS_TTL), GIVEN_OCCURRED_AT);
    expect(state.invitations.get(IVY_INVITATION)?.status).toBe('pending');
    expect(state.pendingInvitationByEmail.get(ivy.email)).toBe(IVY_INVITATION);
    expectInvariants(state);
  });

  it.each([
    ['revoked', revoked(IVY_INVITATION), 'revoked'],
    ['expired', expired(IVY_INVITATION), 'expired'],
    ['declined', declined(IVY_INVITATION, 'ivy'), 'declined'],
  ] as const)('an invitation %s leaves the pending index', (_, event, status) => {
    const state = fold([...teamWithIvyInvited(), event]);
    expect(state.invitations.get(IVY_INVITATION)?.status).toBe(status);
    expect(state.pendingInvitationByEmail.size).toBe(0);
    expectInvariants(state);
  });

  it('an accepted invitation leaves the pending index, and its invitee enters the member index', () => {
    const state = fold([...teamWithIvyInvited(), accepted(IVY_INVITATION, 'ivy'), joined(ivy, 'member', IVY_INVITATION)]);
    expect(state.invitations.get(IVY_INVITATION)?.status).toBe('accepted');
    expect(state.pendingInvitationByEmail.size).toBe(0);
    expect(state.memberIdByEmail.get(ivy.email)).toBe('ivy');
    expectInvariants(state);
  });

  it('closing an old expired invitation keeps the newer pending one for the same email indexed', () => {
    const state = fold([...teamWithIvyInvited(), expired(IVY_INVITATION), invited('inv-ivy-2', ivy.email), revoked(IVY_INVITATION)]);
    expect(state.pendingInvitationByEmail.get(ivy.email)).toBe('inv-ivy-2');
    expectInvariants(state);
  });

  it.each([
    ['removed', removed('mia', 'member')],
    ['left', left('mia', 'member')],
  ])('a member %s leaves the members and the email index', (_, event) => {
    const state = fold([...team(), event]);
    expect(state.members.has('mia')).toBe(false);
    expect(state.memberIdByEmail.has(mia.email)).toBe(false);
    expect(state.memberIdByEmail.get(adam.email)).toBe('adam');
    expectInvariants(state);
  });

  it('a member who left and rejoins is indexed again', () => {
    const state = fold([...team(), left('mia', 'member'), invited('inv-mia', mia.email), accepted('inv-mia', 'mia'), joined(mia, 'admin', 'inv-mia')]);
    expect(state.members.get('mia')?.role).toBe('admin');
    expect(state.memberIdByEmail.get(mia.email)).toBe('mia');
    expectInvariants(state);
  });

  it('the invitations a removed member sent are not touched by evolve (decide revokes them)', () => {
    const state = fold([...teamWithIvyInvited(), removed('adam', 'admin'), revoked(IVY_INVITATION, 'olivia', 'inviter_left')]);
    expect(state.invitations.get(IVY_INVITATION)?.status).toBe('revoked');
    expectInvariants(state);
  });

  it('changes a role', () => {
    const state = fold([...team(), roleChanged('mia', 'member', 'admin')]);
    expect(state.members.get('mia')?.role).toBe('admin');
    expectInvariants(state);
  });

  it('keeps exactly one Owner through transfers, the previous Owner becoming an admin', () => {
    const state = fold(team());
    const steps = [
      transferred('olivia', 'adam'),
      roleChanged('mia', 'member', 'admin', 'adam'),
      transferred('adam', 'mia'),
      left('olivia', 'admin'),
      transferred('mia', 'adam'),
    ];
    for (const event of steps) {
      evolve(state, event, GIVEN_OCCURRED_AT);
      expectInvariants(state);
    }
    expect(state.ownerId).toBe('adam');
    expect(state.members.get('mia')?.role).toBe('admin');
    expect([...state.members.keys()].sort()).toEqual(['adam', 'mia']);
  });

  describe('effectiveStatus', () => {
    const invitation = () => fold(teamWithIvyInvited()).invitations.get(IVY_INVITATION)!;

    it('a pending invitation is pending until just before expiresAt, expired from expiresAt on', () => {
      expect(effectiveStatus(invitation(), new Date(Date.parse(SENT_EXPIRES_AT) - 1))).toBe('pending');
      expect(effectiveStatus(invitation(), new Date(SENT_EXPIRES_AT))).toBe('expired');
    });

    it('a closed invitation keeps its status whatever the time', () => {
      const state = fold([...teamWithIvyInvited(), revoked(IVY_INVITATION)]);
      expect(effectiveStatus(state.invitations.get(IVY_INVITATION)!, new Date('2030-01-01T00:00:00.000Z'))).toBe('revoked');
    });
  });

  it('displayName is the name, or the email when the token carried none', () => {
    expect(displayName(olivia)).toBe('Olivia');
    expect(displayName(ivy)).toBe('ivy@example.com');
  });
});

// A deterministic random walk through decide + evolve: whatever the commands, the invariants hold after
// every step, decide never mutates the state, and evolve accepts every event decide emits.
describe('invariants under any sequence of commands', () => {
  const USERS = ['olivia', 'adam', 'mia', 'nora', 'ivy', 'uma'];
  const emailOf = (userId: string) => `${userId}@example.com`;

  function walk(seed: number, steps: number) {
    let x = seed;
    const rand = (n: number) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return (x >>> 8) % n;
    };
    const pick = <T>(items: readonly T[]): T => items[rand(items.length)];
    const state = emptyOrganization(ORG_ID);
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const counts: Record<string, number> = {};

    for (let step = 0; step < steps; step++) {
      now += rand(8) * 3_600_000; // 0 to 7 hours later; invitations live 2 days
      const at = new Date(now);
      // biased towards what can succeed: members acting, pending invitations answered by their invitee
      const members = [...state.members.keys()];
      const by = rand(3) && members.length ? pick(members) : pick(USERS);
      const target = rand(2) && members.length ? pick(members) : pick(USERS);
      const outsiders = USERS.filter((u) => !state.members.has(u));
      const newcomer = rand(4) && outsiders.length ? pick(outsiders) : pick(USERS);
      const invitations = [...state.invitations.values()];
      const pending = invitations.filter((i) => i.status === 'pending').map((i) => i.id);
      const invitationId = pick([...pending, ...pending, ...pending, ...invitations.map((i) => i.id), 'inv-unknown']);
      const invitation = state.invitations.get(invitationId);
      const sendNumber = invitation && rand(3) ? invitation.sendNumber : 1 + rand((invitation?.sendNumber ?? 1) + 1);
      const invitedUser = invitation ? invitation.email.split('@')[0] : target;
      const answering = rand(4) ? invitedUser : by;
      const invitee: Invitee = {
        userId: answering,
        email: emailOf(rand(4) ? invitedUser : target),
        name: null,
        emailVerified: pick([true, true, null, false]),
      };
      const base = { orgId: ORG_ID, now: at };
      const commands: OrganizationCommand[] = [
        { ...base, type: 'CreateOrganization', name: 'Acme', by: { userId: 'olivia', email: emailOf('olivia'), name: null } },
        { ...base, type: 'InviteMember', invitationId: `inv-${step}`, email: emailOf(newcomer), role: pick(['admin', 'member', 'member', 'owner']), by: { userId: by, email: emailOf(by), name: null }, ttlSeconds: 2 * 86_400 },
        { ...base, type: 'ResendInvitation', invitationId, by, ttlSeconds: 2 * 86_400 },
        { ...base, type: 'RevokeInvitation', invitationId, by },
        { ...base, type: 'ExpireInvitation', invitationId },
        { ...base, type: 'AcceptInvitation', link: { invitationId, sendNumber }, by: invitee },
        { ...base, type: 'AcceptInvitation', link: { invitationId, sendNumber }, by: invitee },
        { ...base, type: 'DeclineInvitation', link: { invitationId, sendNumber }, by: invitee },
        { ...base, type: 'ChangeRole', userId: target, role: pick(['admin', 'member']), by },
        { ...base, type: 'TransferOwnership', newOwnerId: target, by },
        { ...base, type: 'RemoveMember', userId: target, by },
        { ...base, type: 'LeaveOrganization', by },
        { ...base, type: 'RenameOrganization', name: pick(['Acme', 'Beta']), by },
      ];
      const cmd = step === 0 ? commands[0] : pick(commands.slice(1));
      const before = structuredClone(state);
      let events: OrganizationEvent[];
      try {
        events = decide(state, cmd);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        events = [];
      }
      expect(state).toEqual(before);
      for (const event of events) {
        evolve(state, event, at.toISOString());
        counts[event.type] = (counts[event.type] ?? 0) + 1;
      }
      expectInvariants(state);
    }
    return counts;
  }

  it('holds for every step of several seeded walks, which go through every kind of event', () => {
    const seen = new Set<string>();
    for (const seed of [1, 7, 42, 2026]) {
      for (const type of Object.keys(walk(seed, 500))) seen.add(type);
    }
    // proof that the walks reached the interesting states (every event but the deletion, not walked)
    expect([...seen].sort()).toEqual(
      [
        'OrganizationCreated',
        'OrganizationRenamed',
        'MemberInvited',
        'InvitationResent',
        'InvitationRevoked',
        'InvitationExpired',
        'InvitationAccepted',
        'InvitationDeclined',
        'MemberJoined',
        'RoleChanged',
        'OwnershipTransferred',
        'MemberRemoved',
        'MemberLeft',
      ].sort(),
    );
  });
});
