import type { Actor } from './actor';
import { requireEmail } from './email';
import { AlreadyMember, InvalidInput, InvitationPending } from './errors';
import type { OrganizationEvent } from './events';
import { expiresAt } from './invitation-rules';
import { effectiveStatus, type Organization } from './organization';
import { isInvitableRole, requirePermission } from './permissions';

export type InviteMember = {
  type: 'InviteMember';
  orgId: string;
  invitationId: string;
  email: string;
  role: string;
  by: Actor;
  now: Date;
  ttlSeconds: number;
};

export function inviteMember(state: Organization, cmd: InviteMember): OrganizationEvent[] {
  requirePermission(state, cmd.by.userId, 'members:manage');
  if (!isInvitableRole(cmd.role)) throw new InvalidInput('role', 'must be "admin" or "member"');
  const email = requireEmail(cmd.email);
  if (state.memberIdByEmail.has(email)) throw new AlreadyMember();

  const events: OrganizationEvent[] = [];
  const openId = state.pendingInvitationByEmail.get(email);
  if (openId) {
    // A pending invitation blocks until its time is up; a past-due one is expired now and replaced.
    if (effectiveStatus(state.invitations.get(openId)!, cmd.now) === 'pending') throw new InvitationPending();
    events.push({ type: 'InvitationExpired', data: { invitationId: openId } });
  }
  events.push({
    type: 'MemberInvited',
    data: {
      invitationId: cmd.invitationId,
      email,
      role: cmd.role,
      invitedBy: cmd.by.userId,
      expiresAt: expiresAt(cmd.now, cmd.ttlSeconds),
    },
  });
  return events;
}
