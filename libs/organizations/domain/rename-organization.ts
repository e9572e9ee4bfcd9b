import type { OrganizationEvent } from './events';
import type { Organization } from './organization';
import { requireName } from './organization-name';
import { requirePermission } from './permissions';

export type RenameOrganization = { type: 'RenameOrganization'; orgId: string; name: string; by: string; now: Date };

export function renameOrganization(state: Organization, cmd: RenameOrganization): OrganizationEvent[] {
  requirePermission(state, cmd.by, 'org-settings:modify');
  const name = requireName(cmd.name);
  if (name === state.name) return [];
  return [{ type: 'OrganizationRenamed', data: { name, previousName: state.name, renamedBy: cmd.by } }];
}
