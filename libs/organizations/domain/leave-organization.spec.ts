import { OrganizationNotFound, OwnerCannotBeRemoved } from './errors';
import { leaveOrganization, type LeaveOrganization } from './leave-organization';
import {
  accepted,
  adam,
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
  removed,
  revoked,
  specOf,
  team,
  transferred,
} from './testing/fixtures';

const spec = specOf(leaveOrganization);
const leave = (by: string): LeaveOrganization => ({ type: 'LeaveOrganization', orgId: ORG_ID, by, now: NOW });

describe('LeaveOrganization', () => {
  it('lets a member leave, recording their role', () => {
    spec.given(...team()).when(leave(mia.userId)).then([{ type: 'MemberLeft', data: { userId: 'mia', role: 'member' } }]);
  });

  it('revokes the pending invitations of an admin who leaves, and only those', () => {
    spec
      .given(
        ...team(),
        invited('inv-a', 'a@example.com', 'member', 'adam'),
        invited('inv-x', 'x@example.com', 'member', 'adam'),
        expired('inv-x'),
        invited('inv-ida', 'ida@example.com', 'member', 'adam'),
        accepted('inv-ida', 'ida'),
        joined({ userId: 'ida', email: 'ida@example.com', name: null }, 'member', 'inv-ida'),
        invited('inv-o', 'o@example.com', 'member', 'olivia'),
      )
      .when(leave(adam.userId))
      .then([left('adam', 'admin'), revoked('inv-a', 'adam', 'inviter_left')]);
  });

  it('lets the previous Owner leave after a transfer', () => {
    spec.given(...team(), transferred('olivia', 'adam')).when(leave(olivia.userId)).then([left('olivia', 'admin')]);
  });

  it('refuses the Owner → OwnerCannotBeRemoved', () => {
    spec.given(...team()).when(leave(olivia.userId)).thenThrows(OwnerCannotBeRemoved);
  });

  it('refuses the new Owner after a transfer → OwnerCannotBeRemoved', () => {
    spec.given(...team(), transferred('olivia', 'adam')).when(leave(adam.userId)).thenThrows(OwnerCannotBeRemoved);
  });

  it('answers a non-member as if the organization did not exist → OrganizationNotFound', () => {
    spec.given(...team()).when(leave(nora.userId)).thenThrows(OrganizationNotFound);
  });

  it('answers a member who was removed → OrganizationNotFound', () => {
    spec.given(...team(), removed('mia', 'member')).when(leave(mia.userId)).thenThrows(OrganizationNotFound);
  });

  it('hides a deleted organization → OrganizationNotFound', () => {
    spec.given(...team(), deleted()).when(leave(mia.userId)).thenThrows(OrganizationNotFound);
  });
});
