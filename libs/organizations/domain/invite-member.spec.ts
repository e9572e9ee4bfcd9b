import { AlreadyMember, Forbidden, InvalidInput, InvitationPending, OrganizationNotFound } from './errors';
import { inviteMember, type InviteMember } from './invite-member';
import {
  accepted,
  adam,
  at,
  deleted,
  expired,
  invited,
  ivy,
  IVY_INVITATION,
  joined,
  mia,
  NOW,
  NOW_PLUS_TTL,
  nora,
  olivia,
  ORG_ID,
  PAST_DUE,
  removed,
  revoked,
  SENT_EXPIRES_AT,
  specOf,
  team,
  teamWithIvyInvited,
  TTL_SECONDS,
} from './testing/fixtures';

const spec = specOf(inviteMember);
const NEW_ID = 'inv-new';
const invite = (email: string, role = 'member', by = adam, extra: Partial<InviteMember> = {}): InviteMember => ({
  type: 'InviteMember',
  orgId: ORG_ID,
  invitationId: NEW_ID,
  email,
  role,
  by,
  now: NOW,
  ttlSeconds: TTL_SECONDS,
  ...extra,
});
const memberInvited = (email: string, role: 'admin' | 'member' = 'member', invitedBy = adam.userId) =>
  invited(NEW_ID, email, role, invitedBy, NOW_PLUS_TTL);

describe('InviteMember', () => {
  describe('success', () => {
    it('invites with an expiry of now + ttlSeconds', () => {
      spec
        .given(...team())
        .when(invite('ivy@example.com'))
        .then([
          {
            type: 'MemberInvited',
            data: {
              invitationId: NEW_ID,
              email: 'ivy@example.com',
              role: 'member',
              invitedBy: 'adam',
              expiresAt: '2026-01-10T00:00:00.000Z',
            },
          },
        ]);
    });

    it.each([
      ['owner', olivia, 'admin'],
      ['admin', adam, 'member'],
    ] as const)('lets the %s invite an %s', (_, by, role) => {
      spec.given(...team()).when(invite('ivy@example.com', role, by)).then([memberInvited('ivy@example.com', role, by.userId)]);
    });

    it('computes expiresAt from the command’s ttlSeconds', () => {
      spec
        .given(...team())
        .when(invite('ivy@example.com', 'member', adam, { ttlSeconds: 60 }))
        .then([invited(NEW_ID, 'ivy@example.com', 'member', 'adam', '2026-01-03T00:01:00.000Z')]);
    });

    it.each([
      ['surrounding whitespace', '  ivy@example.com\t', 'ivy@example.com'],
      ['upper case', 'Ivy@EXAMPLE.Com', 'ivy@example.com'],
      ['a decomposed accent (NFD → NFC)', 'Jose\u0301@Example.com', 'jos\u00e9@example.com'],
      ['all three', ' JOSE\u0301@EXAMPLE.COM ', 'jos\u00e9@example.com'],
    ])('stores the email normalized: %s', (_, raw, normalized) => {
      spec.given(...team()).when(invite(raw)).then([memberInvited(normalized)]);
    });
  });

  describe('who may invite', () => {
    it('forbids a member → Forbidden', () => {
      spec.given(...team()).when(invite('ivy@example.com', 'member', mia)).thenThrows(Forbidden);
    });

    it('hides the organization from a non-member → OrganizationNotFound', () => {
      spec.given(...team()).when(invite('ivy@example.com', 'member', nora)).thenThrows(OrganizationNotFound);
    });

    it('hides a deleted organization → OrganizationNotFound', () => {
      spec.given(...team(), deleted()).when(invite('ivy@example.com', 'member', olivia)).thenThrows(OrganizationNotFound);
    });

    it('checks permission before input: a member sending a bad role gets Forbidden', () => {
      spec.given(...team()).when(invite('not an email', 'owner', mia)).thenThrows(Forbidden);
    });
  });

  describe('input', () => {
    it.each(['owner', 'bogus', '', 'Admin'])('rejects role %p → InvalidInput', (role) => {
      spec.given(...team()).when(invite('ivy@example.com', role)).thenThrows(InvalidInput);
    });

    it('names the field at fault', () => {
      const state = spec.given(...team()).state();
      expect(() => inviteMember(state, invite('ivy@example.com', 'owner'))).toThrow(
        expect.objectContaining({ field: 'role', code: 'validation_failed' }),
      );
      expect(() => inviteMember(state, invite('Bob <b@x.com>'))).toThrow(
        expect.objectContaining({ field: 'email', code: 'validation_failed' }),
      );
    });

    it.each([
      ['a display name', 'Bob <b@x.com>'],
      ['a list with a comma', 'a@x.com,b@x.com'],
      ['a list with a semicolon', 'a@x.com;b@x.com'],
      ['a CR/LF header injection', 'a@x.com\r\nBcc: c@x.com'],
      ['a lone LF inside', 'a@x\n.com'],
      ['a trailing LF (which trimming would hide)', 'a@x.com\n'],
      ['255 characters', `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com`],
      ['no @', 'ivy.example.com'],
      ['two @', 'ivy@home@example.com'],
      ['a fullwidth ＠ instead of @', 'ivy\uFF20example.com'],
      ['an empty string', ''],
    ])('rejects an email with %s → InvalidInput', (_, email) => {
      spec.given(...team()).when(invite(email)).thenThrows(InvalidInput);
    });

    it('accepts an email of exactly 254 characters', () => {
      const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
      expect(email).toHaveLength(254);
      spec.given(...team()).when(invite(email)).then([memberInvited(email)]);
    });
  });

  describe('already a member', () => {
    it('refuses the email of an active member → AlreadyMember', () => {
      spec.given(...team()).when(invite('mia@example.com')).thenThrows(AlreadyMember);
    });

    it('compares emails after normalization (case-insensitively) → AlreadyMember', () => {
      spec.given(...team()).when(invite('  MIA@Example.COM ')).thenThrows(AlreadyMember);
    });

    it('refuses the Owner’s own email → AlreadyMember', () => {
      spec.given(...team()).when(invite('olivia@example.com')).thenThrows(AlreadyMember);
    });

    it('invites again someone who was removed', () => {
      spec.given(...team(), removed('mia', 'member')).when(invite('mia@example.com')).then([memberInvited('mia@example.com')]);
    });
  });

  describe('one open invitation per email', () => {
    it('refuses while a pending, unexpired invitation exists for that email → InvitationPending', () => {
      spec.given(...teamWithIvyInvited()).when(invite('IVY@example.com', 'admin', olivia)).thenThrows(InvitationPending);
    });

    it('still refuses one millisecond before the pending invitation expires → InvitationPending', () => {
      spec
        .given(...teamWithIvyInvited())
        .when(invite('ivy@example.com', 'member', adam, { now: new Date(Date.parse(SENT_EXPIRES_AT) - 1) }))
        .thenThrows(InvitationPending);
    });

    it('expires a past-due pending invitation, then invites anew', () => {
      spec
        .given(...team(), at('2025-12-26T00:00:00.000Z', invited(IVY_INVITATION, ivy.email, 'member', 'adam', PAST_DUE)))
        .when(invite('ivy@example.com', 'admin'))
        .then([expired(IVY_INVITATION), memberInvited('ivy@example.com', 'admin')]);
    });

    it('treats a pending invitation at exactly its expiresAt as past due', () => {
      spec
        .given(...teamWithIvyInvited())
        .when(invite('ivy@example.com', 'member', adam, { now: new Date(SENT_EXPIRES_AT) }))
        .then([
          expired(IVY_INVITATION),
          invited(NEW_ID, 'ivy@example.com', 'member', 'adam', '2026-01-15T00:00:00.000Z'),
        ]);
    });

    it('is not blocked by an expired invitation', () => {
      spec.given(...teamWithIvyInvited(), expired(IVY_INVITATION)).when(invite('ivy@example.com')).then([memberInvited('ivy@example.com')]);
    });

    it.each([
      ['revoked', revoked(IVY_INVITATION)],
      ['declined', { type: 'InvitationDeclined', data: { invitationId: IVY_INVITATION, userId: 'ivy' } } as const],
    ])('is not blocked by a %s invitation', (_, closing) => {
      spec.given(...teamWithIvyInvited(), closing).when(invite('ivy@example.com')).then([memberInvited('ivy@example.com')]);
    });

    it('is blocked after the invitation was accepted, because the email is a member → AlreadyMember', () => {
      spec
        .given(...teamWithIvyInvited(), accepted(IVY_INVITATION, 'ivy'), joined(ivy, 'member', IVY_INVITATION))
        .when(invite('ivy@example.com'))
        .thenThrows(AlreadyMember);
    });

    it('does not mix up emails: another address is invited while Ivy’s invitation is pending', () => {
      spec.given(...teamWithIvyInvited()).when(invite('ivan@example.com')).then([memberInvited('ivan@example.com')]);
    });
  });
});
