// Rules shared by the invitation commands.
import { InvitationNotFoundInOrganization, InvitationNotPending } from './errors';
import type { InvitationRevoked } from './events';
import { effectiveStatus, type Invitation, type Organization } from './organization';

export function expiresAt(now: Date, ttlSeconds: number): string {
  return new Date(now.getTime() + ttlSeconds * 1000).toISOString();
}

export function requireInvitation(state: Organization, invitationId: string): Invitation {
  const invitation = state.invitations.get(invitationId);
  if (!invitation) throw new InvitationNotFoundInOrganization();
  return invitation;
}

/** Resend and revoke act only on an invitation still open: pending, or expired and not replaced by a
 * newer invitation to the same email (which took its place in the roster). */
export function requireOpen(state: Organization, invitation: Invitation, now: Date): void {
  const status = effectiveStatus(invitation, now);
  if (status !== 'pending' && status !== 'expired') throw new InvitationNotPending(status);
  if (state.latestInvitationByEmail.get(invitation.email) !== invitation.id) throw new InvitationNotPending('superseded');
}

/** A member who leaves or is removed takes back the invitations they sent that are still pending. */
export function revokeInvitationsSentBy(state: Organization, userId: string, by: string): InvitationRevoked[] {
  const revoked: InvitationRevoked[] = [];
  for (const invitation of state.invitations.values()) {
    if (invitation.invitedBy === userId && invitation.status === 'pending') {
      revoked.push({
        type: 'InvitationRevoked',
        data: { invitationId: invitation.id, revokedBy: by, reason: 'inviter_left' },
      });
    }
  }
  return revoked;
}
