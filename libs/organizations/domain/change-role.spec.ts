import { changeRole, type ChangeRole } from './change-role';
import { Forbidden, InvalidInput, MemberNotFound, OrganizationNotFound, OwnerRoleImmutable } from './errors';
import { adam, deleted, joined, left, mia, NOW, nora, olivia, ORG_ID, roleChanged, specOf, team, transferred } from './testing/fixtures';

const spec = specOf(changeRole);
const change = (userId: string, role: string, by = olivia.userId): ChangeRole => ({
  type: 'ChangeRole',
  orgId: ORG_ID,
  userId,
  role,
  by,
  now: NOW,
});

describe('ChangeRole', () => {
  it('promotes a member to admin', () => {
    spec
      .given(...team())
      .when(change('mia', 'admin'))
      .then([{ type: 'RoleChanged', data: { userId: 'mia', from: 'member', to: 'admin', changedBy: 'olivia' } }]);
  });

  it('lets an admin demote another admin', () => {
    spec
      .given(...team(), joined({ userId: 'ada', email: 'ada@example.com', name: 'Ada' }, 'admin'))
      .when(change('ada', 'member', adam.userId))
      .then([roleChanged('ada', 'admin', 'member', 'adam')]);
  });

  it('lets an admin demote themself', () => {
    spec.given(...team()).when(change('adam', 'member', adam.userId)).then([roleChanged('adam', 'admin', 'member', 'adam')]);
  });

  it.each([
    ['member', 'mia', 'member'],
    ['admin', 'adam', 'admin'],
  ])('records nothing when the %s already has the role', (_, userId, role) => {
    spec.given(...team()).when(change(userId, role)).thenNothing();
  });

  it.each(['admin', 'member'])('refuses to change the Owner’s role to %s → OwnerRoleImmutable', (role) => {
    spec.given(...team()).when(change('olivia', role, adam.userId)).thenThrows(OwnerRoleImmutable);
  });

  it('refuses to change the role of the Owner after a transfer (the new Owner) → OwnerRoleImmutable', () => {
    spec.given(...team(), transferred('olivia', 'adam')).when(change('adam', 'member', olivia.userId)).thenThrows(OwnerRoleImmutable);
  });

  it.each(['owner', 'bogus', ''])('rejects role %p → InvalidInput', (role) => {
    spec.given(...team()).when(change('mia', role)).thenThrows(InvalidInput);
  });

  it('rejects role "owner" even for the Owner (validation first) → InvalidInput', () => {
    spec.given(...team()).when(change('olivia', 'owner')).thenThrows(InvalidInput);
  });

  it('refuses a target who is not a member → MemberNotFound', () => {
    spec.given(...team()).when(change('nora', 'admin')).thenThrows(MemberNotFound);
  });

  it('refuses a target who left → MemberNotFound', () => {
    spec.given(...team(), left('mia', 'member')).when(change('mia', 'admin')).thenThrows(MemberNotFound);
  });

  it('forbids a member → Forbidden', () => {
    spec.given(...team()).when(change('mia', 'admin', mia.userId)).thenThrows(Forbidden);
  });

  it('hides the organization from a non-member → OrganizationNotFound', () => {
    spec.given(...team()).when(change('mia', 'admin', nora.userId)).thenThrows(OrganizationNotFound);
  });

  it('hides a deleted organization → OrganizationNotFound', () => {
    spec.given(...team(), deleted()).when(change('mia', 'admin')).thenThrows(OrganizationNotFound);
  });
});
