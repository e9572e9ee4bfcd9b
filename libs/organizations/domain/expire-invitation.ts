import type { OrganizationEvent } from './events';
import { effectiveStatus, type Organization } from './organization';

/** Sent by the expiry job; not a user's command, so no permission applies. */
export type ExpireInvitation = { type: 'ExpireInvitation'; orgId: string; invitationId: string; now: Date };

/** Records the expiry of a pending invitation that is past due; anything else (a job run twice, an
 * invitation resent, accepted or revoked since) is a no-op. */
export function expireInvitation(state: Organization, cmd: ExpireInvitation): OrganizationEvent[] {
  const invitation = state.invitations.get(cmd.invitationId);
  if (state.status !== 'active' || !invitation || invitation.status !== 'pending') return [];
  if (effectiveStatus(invitation, cmd.now) !== 'expired') return [];
  return [{ type: 'InvitationExpired', data: { invitationId: invitation.id } }];
}
