// The API's shapes of write-side state (API.md's Org and Invitation).
import { displayName, effectiveStatus, type Invitation, type Member, type Organization } from '../domain/organization';

export const orgView = (state: Organization) => ({
  id: state.id,
  name: state.name,
  ownerId: state.ownerId,
  memberCount: state.members.size,
  createdAt: state.createdAt,
});

export const invitationView = (state: Organization, invitation: Invitation, now: Date) => ({
  id: invitation.id,
  orgId: state.id,
  email: invitation.email,
  role: invitation.role,
  status: effectiveStatus(invitation, now),
  invitedBy: invitation.invitedBy,
  invitedAt: invitation.invitedAt,
  expiresAt: invitation.expiresAt,
});

/** The member fields the write side knows. The roster's activity counts come from the read side. */
export const memberView = (member: Member) => ({
  kind: 'member' as const,
  userId: member.userId,
  name: displayName(member),
  email: member.email,
  role: member.role,
  status: 'active' as const,
  joinedAt: member.joinedAt,
});
