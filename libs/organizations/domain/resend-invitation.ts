import type { OrganizationEvent } from './events';
import { expiresAt, requireInvitation, requireOpen } from './invitation-rules';
import type { Organization } from './organization';
import { requirePermission } from './permissions';

export type ResendInvitation = {
  type: 'ResendInvitation';
  orgId: string;
  invitationId: string;
  by: string;
  now: Date;
  ttlSeconds: number;
};

/** A new link with a new expiry; the earlier links of this invitation stop working (sendNumber moves on). */
export function resendInvitation(state: Organization, cmd: ResendInvitation): OrganizationEvent[] {
  requirePermission(state, cmd.by, 'members:manage');
  const invitation = requireInvitation(state, cmd.invitationId);
  requireOpen(state, invitation, cmd.now);
  return [
    {
      type: 'InvitationResent',
      data: {
        invitationId: invitation.id,
        sendNumber: invitation.sendNumber + 1,
        expiresAt: expiresAt(cmd.now, cmd.ttlSeconds),
        resentBy: cmd.by,
      },
    },
  ];
}
