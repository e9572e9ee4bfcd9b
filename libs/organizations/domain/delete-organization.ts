import type { OrganizationEvent } from './events';
import type { Organization } from './organization';
import { requirePermission } from './permissions';

export type DeleteOrganization = { type: 'DeleteOrganization'; orgId: string; by: string; now: Date };

/** Afterwards the organization answers as if it never existed; its history stays. */
export function deleteOrganization(state: Organization, cmd: DeleteOrganization): OrganizationEvent[] {
  requirePermission(state, cmd.by, 'org:delete');
  return [{ type: 'OrganizationDeleted', data: { deletedBy: cmd.by } }];
}
