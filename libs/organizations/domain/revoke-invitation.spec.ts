import { Forbidden, InvitationNotFoundInOrganization, InvitationNotPending, OrganizationNotFound } from './errors';
import { revokeInvitation, type RevokeInvitation } from './revoke-invitation';
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
  nora,
  olivia,
  ORG_ID,
  PAST_DUE,
  revoked,
  specOf,
  team,
  teamWithIvyInvited,
} from './testing/fixtures';

const spec = specOf(revokeInvitation);
const revoke = (invitationId = IVY_INVITATION, by = adam.userId): RevokeInvitation => ({
  type: 'RevokeInvitation',
  orgId: ORG_ID,
  invitationId,
  by,
  now: NOW,
});

describe('RevokeInvitation', () => {
  it('revokes a pending invitation', () => {
    spec
      .given(...teamWithIvyInvited())
      .when(revoke(IVY_INVITATION, olivia.userId))
      .then([{ type: 'InvitationRevoked', data: { invitationId: IVY_INVITATION, revokedBy: 'olivia', reason: 'revoked' } }]);
  });

  it('revokes an expired invitation', () => {
    spec.given(...teamWithIvyInvited(), expired(IVY_INVITATION)).when(revoke()).then([revoked(IVY_INVITATION, 'adam')]);
  });

  it('revokes a pending invitation that is past due', () => {
    spec
      .given(...team(), at('2025-12-26T00:00:00.000Z', invited(IVY_INVITATION, ivy.email, 'member', 'adam', PAST_DUE)))
      .when(revoke())
      .then([revoked(IVY_INVITATION, 'adam')]);
  });

  it.each([
    ['accepted', [accepted(IVY_INVITATION, 'ivy'), joined(ivy, 'member', IVY_INVITATION)]],
    ['declined', [declined(IVY_INVITATION, 'ivy')]],
    ['revoked', [revoked(IVY_INVITATION)]],
  ])('refuses an invitation that was %s → InvitationNotPending', (_, closing) => {
    spec.given(...teamWithIvyInvited(), ...closing).when(revoke()).thenThrows(InvitationNotPending);
  });

  it('refuses an unknown invitation id → InvitationNotFoundInOrganization', () => {
    spec.given(...teamWithIvyInvited()).when(revoke('inv-unknown')).thenThrows(InvitationNotFoundInOrganization);
  });

  it('forbids a member → Forbidden', () => {
    spec.given(...teamWithIvyInvited()).when(revoke(IVY_INVITATION, mia.userId)).thenThrows(Forbidden);
  });

  it('hides the organization from a non-member → OrganizationNotFound', () => {
    spec.given(...teamWithIvyInvited()).when(revoke(IVY_INVITATION, nora.userId)).thenThrows(OrganizationNotFound);
  });

  it('hides a deleted organization → OrganizationNotFound', () => {
    spec.given(...teamWithIvyInvited(), deleted()).when(revoke()).thenThrows(OrganizationNotFound);
  });
});
