import { Forbidden, MemberNotFound, OrganizationNotFound, TransferTargetNotAdmin } from './errors';
import { evolve } from './organization';
import { transferOwnership, type TransferOwnership } from './transfer-ownership';
import { adam, deleted, left, mia, NOW, nora, olivia, ORG_ID, roleChanged, specOf, team, transferred } from './testing/fixtures';

const spec = specOf(transferOwnership);
const transfer = (newOwnerId: string, by = olivia.userId): TransferOwnership => ({
  type: 'TransferOwnership',
  orgId: ORG_ID,
  newOwnerId,
  by,
  now: NOW,
});

describe('TransferOwnership', () => {
  it('transfers to an admin in one event', () => {
    spec
      .given(...team())
      .when(transfer('adam'))
      .then([{ type: 'OwnershipTransferred', data: { previousOwnerId: 'olivia', newOwnerId: 'adam' } }]);
  });

  it('leaves exactly one Owner, the previous Owner becoming an admin', () => {
    const given = spec.given(...team());
    const events = given.when(transfer('adam')).then([transferred('olivia', 'adam')]);
    const state = events.reduce((s, e) => evolve(s, e, NOW.toISOString()), given.state());
    const owners = [...state.members.values()].filter((m) => m.role === 'owner');
    expect(owners.map((m) => m.userId)).toEqual(['adam']);
    expect(state.ownerId).toBe('adam');
    expect(state.members.get('olivia')?.role).toBe('admin');
    expect(state.members.get('mia')?.role).toBe('member');
  });

  it('lets the new Owner transfer back', () => {
    spec.given(...team(), transferred('olivia', 'adam')).when(transfer('olivia', adam.userId)).then([transferred('adam', 'olivia')]);
  });

  it('transfers to a member promoted to admin', () => {
    spec.given(...team(), roleChanged('mia', 'member', 'admin')).when(transfer('mia')).then([transferred('olivia', 'mia')]);
  });

  it('refuses a member → TransferTargetNotAdmin', () => {
    spec.given(...team()).when(transfer('mia')).thenThrows(TransferTargetNotAdmin);
  });

  it('refuses the Owner themself → TransferTargetNotAdmin', () => {
    spec.given(...team()).when(transfer('olivia')).thenThrows(TransferTargetNotAdmin);
  });

  it('refuses a non-member → MemberNotFound', () => {
    spec.given(...team()).when(transfer('nora')).thenThrows(MemberNotFound);
  });

  it('refuses an admin who left → MemberNotFound', () => {
    spec.given(...team(), left('adam', 'admin')).when(transfer('adam')).thenThrows(MemberNotFound);
  });

  it.each([adam, mia])('forbids $userId (no ownership:transfer) → Forbidden', (caller) => {
    spec.given(...team()).when(transfer('adam', caller.userId)).thenThrows(Forbidden);
  });

  it('forbids the previous Owner after a transfer → Forbidden', () => {
    spec.given(...team(), transferred('olivia', 'adam')).when(transfer('olivia')).thenThrows(Forbidden);
  });

  it('hides the organization from a non-member → OrganizationNotFound', () => {
    spec.given(...team()).when(transfer('adam', nora.userId)).thenThrows(OrganizationNotFound);
  });

  it('hides a deleted organization → OrganizationNotFound', () => {
    spec.given(...team(), deleted()).when(transfer('adam')).thenThrows(OrganizationNotFound);
  });
});
