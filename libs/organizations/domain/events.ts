// The organization stream's events: what compliance reads, so each says who, what and from which
// role to which. Times live in the envelope's `occurredAt`; `expiresAt` is data because it is a rule.
import type { InvitableRole, Role } from './permissions';

export type OrganizationCreated = {
  type: 'OrganizationCreated';
  data: { orgId: string; name: string; createdBy: string };
};
export type OrganizationRenamed = {
  type: 'OrganizationRenamed';
  data: { name: string; previousName: string; renamedBy: string };
};
export type OrganizationDeleted = { type: 'OrganizationDeleted'; data: { deletedBy: string } };
export type MemberInvited = {
  type: 'MemberInvited';
  data: { invitationId: string; email: string; role: InvitableRole; invitedBy: string; expiresAt: string };
};
export type InvitationResent = {
  type: 'InvitationResent';
  /** sendNumber counts the sends (1 = the first email); links of earlier sends stop working. */
  data: { invitationId: string; sendNumber: number; expiresAt: string; resentBy: string };
};
export type InvitationRevoked = {
  type: 'InvitationRevoked';
  data: { invitationId: string; revokedBy: string; reason: 'revoked' | 'inviter_left' };
};
export type InvitationExpired = { type: 'InvitationExpired'; data: { invitationId: string } };
export type InvitationAccepted = { type: 'InvitationAccepted'; data: { invitationId: string; userId: string } };
export type InvitationDeclined = { type: 'InvitationDeclined'; data: { invitationId: string; userId: string } };
export type MemberJoined = {
  type: 'MemberJoined';
  /** name is the display name the member had when joining (null when their token carried none). */
  data: { userId: string; email: string; name: string | null; role: Role; invitationId: string | null };
};
export type RoleChanged = {
  type: 'RoleChanged';
  data: { userId: string; from: Role; to: Role; changedBy: string };
};
export type OwnershipTransferred = {
  type: 'OwnershipTransferred';
  /** The previous owner becomes an admin. */
  data: { previousOwnerId: string; newOwnerId: string };
};
export type MemberRemoved = { type: 'MemberRemoved'; data: { userId: string; role: Role; removedBy: string } };
export type MemberLeft = { type: 'MemberLeft'; data: { userId: string; role: Role } };

export type OrganizationEvent =
  | OrganizationCreated
  | OrganizationRenamed
  | OrganizationDeleted
  | MemberInvited
  | InvitationResent
  | InvitationRevoked
  | InvitationExpired
  | InvitationAccepted
  | InvitationDeclined
  | MemberJoined
  | RoleChanged
  | OwnershipTransferred
  | MemberRemoved
  | MemberLeft;

export type OrganizationEventType = OrganizationEvent['type'];

export const organizationStream = (orgId: string) => `organization-${orgId}`;
