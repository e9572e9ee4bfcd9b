import { TransferTargetNotAdmin } from './errors';
import type { OrganizationEvent } from './events';
import { requireMember } from './member-rules';
import type { Organization } from './organization';
import { requirePermission } from './permissions';

export type TransferOwnership = { type: 'TransferOwnership'; orgId: string; newOwnerId: string; by: string; now: Date };

/** One event moves both roles, so there is never a moment with zero or two Owners. */
export function transferOwnership(state: Organization, cmd: TransferOwnership): OrganizationEvent[] {
  const owner = requirePermission(state, cmd.by, 'ownership:transfer');
  const target = requireMember(state, cmd.newOwnerId);
  if (target.role !== 'admin') throw new TransferTargetNotAdmin();
  return [{ type: 'OwnershipTransferred', data: { previousOwnerId: owner.userId, newOwnerId: target.userId } }];
}
