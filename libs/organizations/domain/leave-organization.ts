import { OwnerCannotBeRemoved } from './errors';
import type { OrganizationEvent } from './events';
import { revokeInvitationsSentBy } from './invitation-rules';
import type { Organization } from './organization';
import { requireMembership } from './permissions';

export type LeaveOrganization = { type: 'LeaveOrganization'; orgId: string; by: string; now: Date };

/** Anyone but the Owner may leave (the Owner transfers ownership first); like a removal otherwise. */
export function leaveOrganization(state: Organization, cmd: LeaveOrganization): OrganizationEvent[] {
  const member = requireMembership(state, cmd.by);
  if (member.role === 'owner') throw new OwnerCannotBeRemoved();
  return [
    { type: 'MemberLeft', data: { userId: member.userId, role: member.role } },
    ...revokeInvitationsSentBy(state, member.userId, member.userId),
  ];
}
