// The invitation email: organization, inviter, role, expiry and the one-time link, as text and HTML.
import type { Mailer } from '../../platform/mail/mailer';
import { displayName, type Organization } from '../domain/organization';
import type { InvitationTokens } from './invitation-token';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderInvitationEmail(v: { orgName: string; inviterName: string; role: string; expiresAt: string; link: string }) {
  const expires = new Date(v.expiresAt).toUTCString();
  const subject = `${v.inviterName} invited you to join ${v.orgName}`;
  const text = [
    `${v.inviterName} invited you to join ${v.orgName} as ${v.role}.`,
    '',
    `Accept the invitation: ${v.link}`,
    '',
    `This link works once and expires on ${expires}.`,
    "If you did not expect this invitation, you can ignore this email.",
  ].join('\n');
  const html =
    `<p>${escapeHtml(v.inviterName)} invited you to join <strong>${escapeHtml(v.orgName)}</strong> as ${escapeHtml(v.role)}.</p>` +
    `<p><a href="${escapeHtml(v.link)}">Accept the invitation</a></p>` +
    `<p>This link works once and expires on ${escapeHtml(expires)}.</p>`;
  return { subject, text, html };
}

/** Sends the current link of an invitation (its latest send) to the invited address only. */
export async function sendInvitationEmail(
  deps: { mailer: Mailer; tokens: InvitationTokens; linkBase: string },
  state: Organization,
  invitationId: string,
): Promise<void> {
  const invitation = state.invitations.get(invitationId)!;
  const inviter = state.members.get(invitation.invitedBy);
  const token = deps.tokens.sign({ orgId: state.id, invitationId, sendNumber: invitation.sendNumber });
  const email = renderInvitationEmail({
    orgName: state.name,
    inviterName: inviter ? displayName(inviter) : 'A team admin',
    role: invitation.role,
    expiresAt: invitation.expiresAt,
    link: `${deps.linkBase}${token}`,
  });
  await deps.mailer.send({ ...email, to: invitation.email, id: `${invitationId}-${invitation.sendNumber}` });
}
