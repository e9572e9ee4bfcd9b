import type { Invitee } from './actor';
import { requireAnswerable, type InvitationLink } from './answer-invitation';
import type { OrganizationEvent } from './events';
import type { Organization } from './organization';

export type DeclineInvitation = { type: 'DeclineInvitation'; orgId: string; link: InvitationLink; by: Invitee; now: Date };

export function declineInvitation(state: Organization, cmd: DeclineInvitation): OrganizationEvent[] {
  const invitation = requireAnswerable(state, cmd.link, cmd.by, cmd.now);
  return [{ type: 'InvitationDeclined', data: { invitationId: invitation.id, userId: cmd.by.userId } }];
}
