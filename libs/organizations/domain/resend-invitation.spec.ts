import { Forbidden, InvitationNotFoundInOrganization, InvitationNotPending, OrganizationNotFound } from './errors';
import { resendInvitation, type ResendInvitation } from './resend-invitation';
import {
  accepted,
  adam,
  at,
  declined,
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
  resent,
  revoked,
  specOf,
  team,
  teamWithIvyInvited,
  TTL_SECONDS,
} from './testing/fixtures';

const spec = specOf(resendInvitation);
const resend = (invitationId = IVY_INVITATION, by = adam.userId): ResendInvitation => ({
  type: 'ResendInvitation',
  orgId: ORG_ID,
  invitationId,
  by,
  now: NOW,
  ttlSeconds: TTL_SECONDS,
});

describe('ResendInvitation', () => {
  it('resends a pending invitation: next send number, expiry now + ttl', () => {
    spec
      .given(...teamWithIvyInvited())
      .when(resend())
      .then([
        {
          type: 'InvitationResent',
          data: { invitationId: IVY_INVITATION, sendNumber: 2, expiresAt: '2026-01-10T00:00:00.000Z', resentBy: 'adam' },
        },
      ]);
  });

  it('counts every send', () => {
    spec
      .given(...teamWithIvyInvited(), resent(IVY_INVITATION, 2, '2026-01-09T00:00:00.000Z'), resent(IVY_INVITATION, 3, '2026-01-09T01:00:00.000Z'))
      .when(resend(IVY_INVITATION, olivia.userId))
      .then([resent(IVY_INVITATION, 4, NOW_PLUS_TTL, 'olivia')]);
  });

  it('reopens an expired invitation', () => {
    spec.given(...teamWithIvyInvited(), expired(IVY_INVITATION)).when(resend()).then([resent(IVY_INVITATION, 2, NOW_PLUS_TTL)]);
  });

  it('resends a pending invitation that is past due but not yet recorded as expired', () => {
    spec
      .given(...team(), at('2025-12-26T00:00:00.000Z', invited(IVY_INVITATION, ivy.email, 'member', 'adam', PAST_DUE)))
      .when(resend())
      .then([resent(IVY_INVITATION, 2, NOW_PLUS_TTL)]);
  });

  it.each([
    ['accepted', [accepted(IVY_INVITATION, 'ivy'), joined(ivy, 'member', IVY_INVITATION)]],
    ['declined', [declined(IVY_INVITATION, 'ivy')]],
    ['revoked', [revoked(IVY_INVITATION)]],
  ])('refuses an invitation that was %s → InvitationNotPending', (_, closing) => {
    spec.given(...teamWithIvyInvited(), ...closing).when(resend()).thenThrows(InvitationNotPending);
  });

  it('refuses an id that is not one of this organization’s invitations → InvitationNotFoundInOrganization', () => {
    spec.given(...teamWithIvyInvited()).when(resend('inv-unknown')).thenThrows(InvitationNotFoundInOrganization);
  });

  it('refuses to reopen an expired invitation once a newer one for that email replaced it → InvitationNotPending', () => {
    spec
      .given(...teamWithIvyInvited(), expired(IVY_INVITATION), invited('inv-ivy-2', ivy.email))
      .when(resend(IVY_INVITATION))
      .thenThrows(InvitationNotPending);
  });

  it('still resends the newer pending invitation in that case', () => {
    spec
      .given(...teamWithIvyInvited(), expired(IVY_INVITATION), invited('inv-ivy-2', ivy.email))
      .when(resend('inv-ivy-2'))
      .then([resent('inv-ivy-2', 2, NOW_PLUS_TTL)]);
  });

  it('refuses to reopen an expired invitation whose email became a member through a newer one → InvitationNotPending', () => {
    spec
      .given(
        ...teamWithIvyInvited(),
        expired(IVY_INVITATION),
        invited('inv-ivy-2', ivy.email),
        accepted('inv-ivy-2', 'ivy'),
        joined(ivy, 'member', 'inv-ivy-2'),
      )
      .when(resend(IVY_INVITATION))
      .thenThrows(InvitationNotPending);
  });

  // API.md: inviting an email again "creates a new invitation, and the expired one leaves the roster":
  // the newer invitation replaced it, so only the newer one can be resent, even when it is past due.
  it('refuses to reopen an expired invitation superseded by a newer one for the email → InvitationNotPending', () => {
    spec
      .given(
        ...team(),
        at('2025-12-10T00:00:00.000Z', invited(IVY_INVITATION, ivy.email, 'member', 'adam', '2025-12-17T00:00:00.000Z')),
        expired(IVY_INVITATION),
        at('2025-12-26T00:00:00.000Z', invited('inv-ivy-2', ivy.email, 'member', 'adam', PAST_DUE)),
      )
      .when(resend(IVY_INVITATION))
      .thenThrows(InvitationNotPending);
  });

  it('reopens the newest invitation of the email even when it is past due', () => {
    spec
      .given(
        ...team(),
        at('2025-12-10T00:00:00.000Z', invited(IVY_INVITATION, ivy.email, 'member', 'adam', '2025-12-17T00:00:00.000Z')),
        expired(IVY_INVITATION),
        at('2025-12-26T00:00:00.000Z', invited('inv-ivy-2', ivy.email, 'member', 'adam', PAST_DUE)),
      )
      .when(resend('inv-ivy-2'))
      .then([resent('inv-ivy-2', 2, NOW_PLUS_TTL)]);
  });

  it('forbids a member → Forbidden', () => {
    spec.given(...teamWithIvyInvited()).when(resend(IVY_INVITATION, mia.userId)).thenThrows(Forbidden);
  });

  it('hides the organization from a non-member → OrganizationNotFound', () => {
    spec.given(...teamWithIvyInvited()).when(resend(IVY_INVITATION, nora.userId)).thenThrows(OrganizationNotFound);
  });

  it('hides a deleted organization → OrganizationNotFound', () => {
    spec.given(...teamWithIvyInvited(), deleted()).when(resend()).thenThrows(OrganizationNotFound);
  });
});
