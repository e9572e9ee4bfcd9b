// Expires every pending invitation past its time, found in the invitations read model.
import type { InvitationJobDeps } from '../application/invitation-jobs';
import type { ListQueries } from './lists.query';

export async function expireDueInvitations(lists: Pick<ListQueries, 'dueInvitations'>, deps: Pick<InvitationJobDeps, 'execute'>, now: Date): Promise<number> {
  const due = await lists.dueInvitations(now, 1000);
  for (const { orgId, invitationId } of due) {
    await deps.execute({ type: 'ExpireInvitation', orgId, invitationId, now }, { correlationId: 'expiry-sweep', causationId: null });
  }
  return due.length;
}
