import { Forbidden, InvalidInput, OrganizationNotFound } from './errors';
import { renameOrganization, type RenameOrganization } from './rename-organization';
import { adam, deleted, mia, NOW, nora, olivia, ORG_ID, specOf, team } from './testing/fixtures';

const spec = specOf(renameOrganization);
const rename = (name: string, by = olivia.userId): RenameOrganization => ({
  type: 'RenameOrganization',
  orgId: ORG_ID,
  name,
  by,
  now: NOW,
});

describe('RenameOrganization', () => {
  it.each([olivia, adam])('renames the organization when $userId (org-settings:modify) asks', (caller) => {
    spec
      .given(...team())
      .when(rename('  Acme Labs ', caller.userId))
      .then([{ type: 'OrganizationRenamed', data: { name: 'Acme Labs', previousName: 'Acme', renamedBy: caller.userId } }]);
  });

  it('records nothing when the trimmed name is the current one', () => {
    spec.given(...team()).when(rename('  Acme  ')).thenNothing();
  });

  it.each([
    ['empty', ''],
    ['101 characters', 'x'.repeat(101)],
  ])('rejects a name that is %s → InvalidInput', (_, name) => {
    spec.given(...team()).when(rename(name)).thenThrows(InvalidInput);
  });

  it('forbids a member → Forbidden', () => {
    spec.given(...team()).when(rename('Other', mia.userId)).thenThrows(Forbidden);
  });

  it('hides the organization from a non-member → OrganizationNotFound', () => {
    spec.given(...team()).when(rename('Other', nora.userId)).thenThrows(OrganizationNotFound);
  });

  it('hides a deleted organization → OrganizationNotFound', () => {
    spec.given(...team(), deleted()).when(rename('Other')).thenThrows(OrganizationNotFound);
  });

  it('hides an organization that was never created → OrganizationNotFound', () => {
    spec.given().when(rename('Other')).thenThrows(OrganizationNotFound);
  });
});
