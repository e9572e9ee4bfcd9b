// The background work of invitations. The reactor turns MemberInvited and InvitationResent into two
// jobs: send the email of that send, and expire the invitation when its time is up. Job ids come from
// the event, so a replayed event adds nothing new. The processors check the current state first: an
// email of an earlier send or of a closed invitation is not sent, and expiry is a no-op unless due.
import type { StoredEvent } from '../../platform/event-store/event-store';
import type { JobQueue, RunningJob } from '../../platform/jobs/job-queue';
import type { Mailer } from '../../platform/mail/mailer';
import type { Reactor } from '../../platform/reactions/reactor-runner';
import type { InvitationResent, MemberInvited } from '../domain/events';
import { effectiveStatus } from '../domain/organization';
import { sendInvitationEmail } from './invitation-email';
import type { InvitationTokens } from './invitation-token';
import type { CommandContext, OrganizationRepository } from './organization-repository';
import type { OrganizationCommand } from '../domain/commands';

export const SEND_INVITATION_EMAIL = 'send-invitation-email';
export const EXPIRE_INVITATION = 'expire-invitation';

export function invitationReactor(queue: JobQueue): Reactor {
  return {
    name: 'invitations',
    async react(event: StoredEvent) {
      if (!event.streamId.startsWith('organization-')) return;
      if (event.type !== 'MemberInvited' && event.type !== 'InvitationResent') return;
      const orgId = event.streamId.slice('organization-'.length);
      const { invitationId, expiresAt } = (event as unknown as MemberInvited | InvitationResent).data;
      const sendNumber = event.type === 'InvitationResent' ? (event.data as InvitationResent['data']).sendNumber : 1;
      const causationId = event.metadata.eventId;
      await queue.add({ name: SEND_INVITATION_EMAIL, id: `email-${causationId}`, data: { orgId, invitationId, sendNumber } });
      await queue.add({
        name: EXPIRE_INVITATION,
        id: `expire-${causationId}`,
        data: { orgId, invitationId, causationId },
        runAt: new Date(expiresAt),
      });
    },
  };
}

export type InvitationJobDeps = {
  organizations: OrganizationRepository;
  mailer: Mailer;
  tokens: InvitationTokens;
  linkBase: string;
  /** Runs a command the way HTTP does (through the command bus). */
  execute: (command: OrganizationCommand, context: CommandContext) => Promise<unknown>;
};

/** Sends the email of one send of an invitation, if that send is still the current, open one. */
export async function sendInvitationEmailJob(deps: InvitationJobDeps, job: RunningJob) {
  const { orgId, invitationId, sendNumber } = job.data as { orgId: string; invitationId: string; sendNumber: number };
  const state = await deps.organizations.read(orgId);
  const invitation = state.status === 'active' ? state.invitations.get(invitationId) : undefined;
  if (!invitation || invitation.sendNumber !== sendNumber || effectiveStatus(invitation, new Date()) !== 'pending') return;
  await sendInvitationEmail(deps, state, invitationId);
}

export async function expireInvitationJob(deps: InvitationJobDeps, job: RunningJob) {
  const { orgId, invitationId, causationId } = job.data as { orgId: string; invitationId: string; causationId: string };
  await deps.execute({ type: 'ExpireInvitation', orgId, invitationId, now: new Date() }, { correlationId: `job:${job.id}`, causationId });
}
