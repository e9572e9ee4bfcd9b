import { OwnerCannotBeRemoved } from './errors';
import type { OrganizationEvent } from './events';
import { revokeInvitationsSentBy } from './invitation-rules';
import { requireMember } from './member-rules';
import type { Organization } from './organization';
import { requirePermission } from './permissions';

export type RemoveMember = { type: 'RemoveMember'; orgId: string; userId: string; by: string; now: Date };

/** The removed user loses all access at once, and the pending invitations they sent are revoked. */
export function removeMember(state: Organization, cmd: RemoveMember): OrganizationEvent[] {
  requirePermission(state, cmd.by, 'members:manage');
  const member = requireMember(state, cmd.userId);
  if (member.role === 'owner') throw new OwnerCannotBeRemoved();
  return [
    { type: 'MemberRemoved', data: { userId: member.userId, role: member.role, removedBy: cmd.by } },
    ...revokeInvitationsSentBy(state, member.userId, cmd.by),
  ];
}
