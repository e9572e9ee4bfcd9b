import { InvalidInput, OwnerRoleImmutable } from './errors';
import type { OrganizationEvent } from './events';
import { requireMember } from './member-rules';
import type { Organization } from './organization';
import { isInvitableRole, requirePermission } from './permissions';

export type ChangeRole = { type: 'ChangeRole'; orgId: string; userId: string; role: string; by: string; now: Date };

export function changeRole(state: Organization, cmd: ChangeRole): OrganizationEvent[] {
  requirePermission(state, cmd.by, 'roles:change');
  // Nobody becomes Owner by a role change: only a transfer moves ownership.
  if (!isInvitableRole(cmd.role)) throw new InvalidInput('role', 'must be "admin" or "member"');
  const member = requireMember(state, cmd.userId);
  if (member.role === 'owner') throw new OwnerRoleImmutable();
  if (member.role === cmd.role) return [];
  return [{ type: 'RoleChanged', data: { userId: member.userId, from: member.role, to: cmd.role, changedBy: cmd.by } }];
}
