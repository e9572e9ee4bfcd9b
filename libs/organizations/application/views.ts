// The API's shapes of write-side state (API.md's Org and Invitation).
import { effectiveStatus, type Invitation, type Organization } from '../domain/organization';

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

