import { Forbidden, MemberNotFound, OrganizationNotFound, OwnerCannotBeRemoved } from './errors';
import { removeMember, type RemoveMember } from './remove-member';
import {
  accepted,
  adam,
  at,
  declined,
  deleted,
  expired,
  invited,
  joined,
  left,
  mia,
  NOW,
  nora,
  olivia,
  ORG_ID,
  PAST_DUE,
  removed,
  revoked,
  roleChanged,
  specOf,
  team,
  transferred,
} from './testing/fixtures';

const spec = specOf(removeMember);
const remove = (userId: string, by = olivia.userId): RemoveMember => ({
  type: 'RemoveMember',
  orgId: ORG_ID,
  userId,
  by,
  now: NOW,
});
const ida = { userId: 'ida', email: 'ida@example.com', name: 'Ida' };

describe('RemoveMember', () => {
  it('removes a member, recording their role', () => {
    spec
      .given(...team())
      .when(remove('mia'))
      .then([{ type: 'MemberRemoved', data: { userId: 'mia', role: 'member', removedBy: 'olivia' } }]);
  });

  it('lets an admin remove another admin', () => {
    spec
      .given(...team(), roleChanged('mia', 'member', 'admin'))
      .when(remove('mia', adam.userId))
      .then([removed('mia', 'admin', 'adam')]);
  });

  it('revokes the pending invitations the removed member sent, and only those', () => {
    spec
      .given(
        ...team(),
        invited('inv-a', 'a@example.com', 'member', 'adam'),
        invited('inv-b', 'b@example.com', 'admin', 'adam'),
        invited('inv-accepted', ida.email, 'member', 'adam'),
        accepted('inv-accepted', 'ida'),
        joined(ida, 'member', 'inv-accepted'),
        invited('inv-revoked', 'r@example.com', 'member', 'adam'),
        revoked('inv-revoked', 'olivia'),
        invited('inv-declined', 'd@example.com', 'member', 'adam'),
        declined('inv-declined', 'dan'),
        invited('inv-olivia', 'o@example.com', 'member', 'olivia'),
      )
      .when(remove('adam'))
      .then([
        removed('adam', 'admin', 'olivia'),
        revoked('inv-a', 'olivia', 'inviter_left'),
        revoked('inv-b', 'olivia', 'inviter_left'),
      ]);
  });

  it('revokes a pending invitation they sent that is past due but not yet recorded as expired', () => {
    spec
      .given(...team(), at('2025-12-26T00:00:00.000Z', invited('inv-late', 'l@example.com', 'member', 'adam', PAST_DUE)))
      .when(remove('adam'))
      .then([removed('adam', 'admin', 'olivia'), revoked('inv-late', 'olivia', 'inviter_left')]);
  });

  it('leaves an invitation they sent that was recorded as expired', () => {
    spec
      .given(...team(), invited('inv-x', 'x@example.com', 'member', 'adam'), expired('inv-x'))
      .when(remove('adam'))
      .then([removed('adam', 'admin', 'olivia')]);
  });

  it('refuses to remove the Owner → OwnerCannotBeRemoved', () => {
    spec.given(...team()).when(remove('olivia', adam.userId)).thenThrows(OwnerCannotBeRemoved);
  });

  it('refuses to remove the new Owner after a transfer → OwnerCannotBeRemoved', () => {
    spec.given(...team(), transferred('olivia', 'adam')).when(remove('adam', olivia.userId)).thenThrows(OwnerCannotBeRemoved);
  });

  it('refuses a target who is not a member → MemberNotFound', () => {
    spec.given(...team()).when(remove('nora')).thenThrows(MemberNotFound);
  });

  it('refuses a target already gone → MemberNotFound', () => {
    spec.given(...team(), left('mia', 'member')).when(remove('mia')).thenThrows(MemberNotFound);
  });

  it('forbids a member → Forbidden', () => {
    spec.given(...team()).when(remove('adam', mia.userId)).thenThrows(Forbidden);
  });

  it('hides the organization from a non-member → OrganizationNotFound', () => {
    spec.given(...team()).when(remove('mia', nora.userId)).thenThrows(OrganizationNotFound);
  });

  it('hides a deleted organization → OrganizationNotFound', () => {
    spec.given(...team(), deleted()).when(remove('mia')).thenThrows(OrganizationNotFound);
  });
});
