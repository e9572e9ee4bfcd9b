import type { OrganizationEvent } from './events';
import { requireInvitation, requireOpen } from './invitation-rules';
import type { Organization } from './organization';
import { requirePermission } from './permissions';

export type RevokeInvitation = { type: 'RevokeInvitation'; orgId: string; invitationId: string; by: string; now: Date };

export function revokeInvitation(state: Organization, cmd: RevokeInvitation): OrganizationEvent[] {
  requirePermission(state, cmd.by, 'members:manage');
  const invitation = requireInvitation(state, cmd.invitationId);
  requireOpen(state, invitation, cmd.now);
  return [{ type: 'InvitationRevoked', data: { invitationId: invitation.id, revokedBy: cmd.by, reason: 'revoked' } }];
}
