// The checks shared by accepting and declining a link, in the order API.md fixes.
import type { Invitee } from './actor';
import { normalizeEmail } from './email';
import {
  AlreadyMember,
  EmailMismatch,
  InvitationExpired,
  InvitationNotFound,
  InvitationRevoked,
  InvitationUsed,
} from './errors';
import { effectiveStatus, type Invitation, type Organization } from './organization';

/** What a verified link names: the invitation and which send of it (earlier sends are dead links). */
export type InvitationLink = { invitationId: string; sendNumber: number };

export function requireAnswerable(state: Organization, link: InvitationLink, by: Invitee, now: Date): Invitation {
  const invitation = state.status === 'active' ? state.invitations.get(link.invitationId) : undefined;
  if (!invitation || link.sendNumber > invitation.sendNumber) throw new InvitationNotFound();
  const status = effectiveStatus(invitation, now);
  if (status === 'revoked') throw new InvitationRevoked();
  if (status === 'accepted' || status === 'declined') throw new InvitationUsed();
  if (status === 'expired' || link.sendNumber < invitation.sendNumber) throw new InvitationExpired();
  if (normalizeEmail(by.email) !== invitation.email || by.emailVerified === false) throw new EmailMismatch();
  if (state.members.has(by.userId) || state.memberIdByEmail.has(invitation.email)) throw new AlreadyMember();
  return invitation;
}
