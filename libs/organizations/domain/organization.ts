// The write-side state of one organization, folded from its stream by `evolve`.
// `evolve` updates the state in place (O(1) per event, so a cached state of 100,000 members is
// extended, never copied); `decide` functions only read it.
import type { OrganizationEvent } from './events';
import type { InvitableRole, Role } from './permissions';

export type Member = { userId: string; email: string; name: string | null; role: Role; joinedAt: string };

export type InvitationStatus = 'pending' | 'expired' | 'accepted' | 'declined' | 'revoked';
export type Invitation = {
  id: string;
  email: string;
  role: InvitableRole;
  /** As recorded; a pending invitation past `expiresAt` is already expired (see effectiveStatus). */
  status: InvitationStatus;
  invitedBy: string;
  invitedAt: string;
  expiresAt: string;
  sendNumber: number;
};

export type Organization = {
  id: string;
  status: 'none' | 'active' | 'deleted';
  name: string;
  ownerId: string;
  createdAt: string;
  members: Map<string, Member>;
  memberIdByEmail: Map<string, string>;
  invitations: Map<string, Invitation>;
  /** The one pending invitation per email (possibly past due, until InvitationExpired). */
  pendingInvitationByEmail: Map<string, string>;
  /** The newest invitation per email: an older expired one is superseded and can no longer be reopened. */
  latestInvitationByEmail: Map<string, string>;
};

export function emptyOrganization(id: string): Organization {
  return {
    id,
    status: 'none',
    name: '',
    ownerId: '',
    createdAt: '',
    members: new Map(),
    memberIdByEmail: new Map(),
    invitations: new Map(),
    pendingInvitationByEmail: new Map(),
    latestInvitationByEmail: new Map(),
  };
}

export function effectiveStatus(invitation: Invitation, now: Date): InvitationStatus {
  if (invitation.status === 'pending' && now.getTime() >= Date.parse(invitation.expiresAt)) return 'expired';
  return invitation.status;
}

/** What other people see of a member: the display name, or the email when the token carried none. */
export const displayName = (member: Pick<Member, 'name' | 'email'>) => member.name ?? member.email;

export function evolve(state: Organization, event: OrganizationEvent, occurredAt: string): Organization {
  switch (event.type) {
    case 'OrganizationCreated':
      state.status = 'active';
      state.name = event.data.name;
      state.ownerId = event.data.createdBy;
      state.createdAt = occurredAt;
      break;
    case 'OrganizationRenamed':
      state.name = event.data.name;
      break;
    case 'OrganizationDeleted':
      state.status = 'deleted';
      break;
    case 'MemberInvited': {
      const { invitationId, email, role, invitedBy, expiresAt } = event.data;
      state.invitations.set(invitationId, {
        id: invitationId,
        email,
        role,
        status: 'pending',
        invitedBy,
        invitedAt: occurredAt,
        expiresAt,
        sendNumber: 1,
      });
      state.pendingInvitationByEmail.set(email, invitationId);
      state.latestInvitationByEmail.set(email, invitationId);
      break;
    }
    case 'InvitationResent': {
      const invitation = state.invitations.get(event.data.invitationId)!;
      invitation.status = 'pending';
      invitation.sendNumber = event.data.sendNumber;
      invitation.expiresAt = event.data.expiresAt;
      state.pendingInvitationByEmail.set(invitation.email, invitation.id);
      break;
    }
    case 'InvitationRevoked':
      closeInvitation(state, event.data.invitationId, 'revoked');
      break;
    case 'InvitationExpired':
      closeInvitation(state, event.data.invitationId, 'expired');
      break;
    case 'InvitationAccepted':
      closeInvitation(state, event.data.invitationId, 'accepted');
      break;
    case 'InvitationDeclined':
      closeInvitation(state, event.data.invitationId, 'declined');
      break;
    case 'MemberJoined': {
      const { userId, email, name, role } = event.data;
      state.members.set(userId, { userId, email, name, role, joinedAt: occurredAt });
      state.memberIdByEmail.set(email, userId);
      break;
    }
    case 'RoleChanged':
      state.members.get(event.data.userId)!.role = event.data.to;
      break;
    case 'OwnershipTransferred':
      state.members.get(event.data.previousOwnerId)!.role = 'admin';
      state.members.get(event.data.newOwnerId)!.role = 'owner';
      state.ownerId = event.data.newOwnerId;
      break;
    case 'MemberRemoved':
    case 'MemberLeft': {
      const member = state.members.get(event.data.userId)!;
      state.members.delete(member.userId);
      state.memberIdByEmail.delete(member.email);
      break;
    }
  }
  return state;
}

function closeInvitation(state: Organization, invitationId: string, status: InvitationStatus) {
  const invitation = state.invitations.get(invitationId)!;
  invitation.status = status;
  if (state.pendingInvitationByEmail.get(invitation.email) === invitationId) {
    state.pendingInvitationByEmail.delete(invitation.email);
  }
}
