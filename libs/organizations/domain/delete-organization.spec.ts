import { deleteOrganization, type DeleteOrganization } from './delete-organization';
import { Forbidden, OrganizationNotFound } from './errors';
import { adam, deleted, mia, NOW, nora, olivia, ORG_ID, specOf, team } from './testing/fixtures';

const spec = specOf(deleteOrganization);
const del = (by: string): DeleteOrganization => ({ type: 'DeleteOrganization', orgId: ORG_ID, by, now: NOW });

describe('DeleteOrganization', () => {
  it('deletes the organization when the Owner asks', () => {
    spec.given(...team()).when(del(olivia.userId)).then([{ type: 'OrganizationDeleted', data: { deletedBy: 'olivia' } }]);
  });

  it.each([adam, mia])('forbids $userId (no org:delete) → Forbidden', (caller) => {
    spec.given(...team()).when(del(caller.userId)).thenThrows(Forbidden);
  });

  it('hides the organization from a non-member → OrganizationNotFound', () => {
    spec.given(...team()).when(del(nora.userId)).thenThrows(OrganizationNotFound);
  });

  it('answers a second deletion as if the organization never existed → OrganizationNotFound', () => {
    spec.given(...team(), deleted()).when(del(olivia.userId)).thenThrows(OrganizationNotFound);
  });
});
