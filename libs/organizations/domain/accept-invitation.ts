import type { Invitee } from './actor';
import { requireAnswerable, type InvitationLink } from './answer-invitation';
import type { OrganizationEvent } from './events';
import type { Organization } from './organization';

export type AcceptInvitation = { type: 'AcceptInvitation'; orgId: string; link: InvitationLink; by: Invitee; now: Date };

/** The invitee is an active member at once, with the invited role. */
export function acceptInvitation(state: Organization, cmd: AcceptInvitation): OrganizationEvent[] {
  const invitation = requireAnswerable(state, cmd.link, cmd.by, cmd.now);
  return [
    { type: 'InvitationAccepted', data: { invitationId: invitation.id, userId: cmd.by.userId } },
    {
      type: 'MemberJoined',
      data: {
        userId: cmd.by.userId,
        email: invitation.email,
        name: cmd.by.name,
        role: invitation.role,
        invitationId: invitation.id,
      },
    },
  ];
}
