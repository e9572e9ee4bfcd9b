// Every command of the organization stream, and the one function that decides any of them.
import { acceptInvitation, type AcceptInvitation } from './accept-invitation';
import { changeRole, type ChangeRole } from './change-role';
import { createOrganization, type CreateOrganization } from './create-organization';
import { declineInvitation, type DeclineInvitation } from './decline-invitation';
import { deleteOrganization, type DeleteOrganization } from './delete-organization';
import type { OrganizationEvent } from './events';
import { expireInvitation, type ExpireInvitation } from './expire-invitation';
import { inviteMember, type InviteMember } from './invite-member';
import { leaveOrganization, type LeaveOrganization } from './leave-organization';
import type { Organization } from './organization';
import { removeMember, type RemoveMember } from './remove-member';
import { renameOrganization, type RenameOrganization } from './rename-organization';
import { resendInvitation, type ResendInvitation } from './resend-invitation';
import { revokeInvitation, type RevokeInvitation } from './revoke-invitation';
import { transferOwnership, type TransferOwnership } from './transfer-ownership';

export type OrganizationCommand =
  | CreateOrganization
  | RenameOrganization
  | DeleteOrganization
  | InviteMember
  | ResendInvitation
  | RevokeInvitation
  | ExpireInvitation
  | AcceptInvitation
  | DeclineInvitation
  | ChangeRole
  | TransferOwnership
  | RemoveMember
  | LeaveOrganization;

/** Pure: the same state and command always give the same events (or the same error). */
export function decide(state: Organization, cmd: OrganizationCommand): OrganizationEvent[] {
  switch (cmd.type) {
    case 'CreateOrganization':
      return createOrganization(state, cmd);
    case 'RenameOrganization':
      return renameOrganization(state, cmd);
    case 'DeleteOrganization':
      return deleteOrganization(state, cmd);
    case 'InviteMember':
      return inviteMember(state, cmd);
    case 'ResendInvitation':
      return resendInvitation(state, cmd);
    case 'RevokeInvitation':
      return revokeInvitation(state, cmd);
    case 'ExpireInvitation':
      return expireInvitation(state, cmd);
    case 'AcceptInvitation':
      return acceptInvitation(state, cmd);
    case 'DeclineInvitation':
      return declineInvitation(state, cmd);
    case 'ChangeRole':
      return changeRole(state, cmd);
    case 'TransferOwnership':
      return transferOwnership(state, cmd);
    case 'RemoveMember':
      return removeMember(state, cmd);
    case 'LeaveOrganization':
      return leaveOrganization(state, cmd);
  }
}

/** The actor recorded in the events' metadata (null for the system's own commands). */
export function actorOf(cmd: OrganizationCommand): string | null {
  if (cmd.type === 'ExpireInvitation') return null;
  return typeof cmd.by === 'string' ? cmd.by : cmd.by.userId;
}
