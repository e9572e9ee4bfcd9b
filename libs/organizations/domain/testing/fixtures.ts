// The standard cast and history of the domain tests: an organization "Acme" created by owner Olivia,
// admin Adam and member Mia joined; Nora belongs to no organization; Ivy is invited.
// Given events happen at GIVEN_OCCURRED_AT (2026-01-01) unless placed with `at`; commands run at NOW.
import { deciderSpec, GIVEN_OCCURRED_AT } from '../../../platform/testing/decider';
import type { Actor, Invitee } from '../actor';
import { decide, type OrganizationCommand } from '../commands';
import type { InvitationRevoked, OrganizationEvent } from '../events';
import { emptyOrganization, evolve, type Organization } from '../organization';
import type { InvitableRole, Role } from '../permissions';

export { at, GIVEN_OCCURRED_AT } from '../../../platform/testing/decider';

export const ORG_ID = 'org-1';
export const ORG_NAME = 'Acme';
export const NOW = new Date('2026-01-03T00:00:00.000Z');
export const TTL_SECONDS = 604_800;
/** NOW + TTL_SECONDS: the expiry of anything sent or resent at NOW. */
export const NOW_PLUS_TTL = '2026-01-10T00:00:00.000Z';
/** GIVEN_OCCURRED_AT + TTL_SECONDS: the expiry of an invitation sent in the given history. Still ahead at NOW. */
export const SENT_EXPIRES_AT = '2026-01-08T00:00:00.000Z';
/** An expiry already behind NOW. */
export const PAST_DUE = '2026-01-02T00:00:00.000Z';

export const olivia: Actor = { userId: 'olivia', email: 'olivia@example.com', name: 'Olivia' };
export const adam: Actor = { userId: 'adam', email: 'adam@example.com', name: 'Adam' };
export const mia: Actor = { userId: 'mia', email: 'mia@example.com', name: 'Mia' };
export const nora: Actor = { userId: 'nora', email: 'nora@example.com', name: 'Nora' };
export const ivy: Actor = { userId: 'ivy', email: 'ivy@example.com', name: null };
/** Ivy answering her invitation with a verified email. */
export const ivyInvitee: Invitee = { ...ivy, emailVerified: true };

export const organization = { initial: () => emptyOrganization(ORG_ID), evolve };

/** given/when/then over one command function (or `decide` itself). */
export const specOf = <C>(decide: (state: Organization, cmd: C) => OrganizationEvent[]) =>
  deciderSpec<Organization, C, OrganizationEvent>({ ...organization, decide });

/** given/when/then over the dispatching `decide`. */
export const spec = specOf<OrganizationCommand>(decide);

/** Folds events (all at GIVEN_OCCURRED_AT) into a fresh state, for tests on evolve itself. */
export const fold = (events: OrganizationEvent[], occurredAt = GIVEN_OCCURRED_AT) =>
  events.reduce((s, e) => evolve(s, e, occurredAt), emptyOrganization(ORG_ID));

// --- event builders
export const created = (owner: Actor = olivia, name = ORG_NAME): OrganizationEvent[] => [
  { type: 'OrganizationCreated', data: { orgId: ORG_ID, name, createdBy: owner.userId } },
  joined(owner, 'owner'),
];
export const joined = (actor: Actor, role: Role, invitationId: string | null = null): OrganizationEvent => ({
  type: 'MemberJoined',
  data: { userId: actor.userId, email: actor.email, name: actor.name, role, invitationId },
});
export const invited = (
  invitationId: string,
  email: string,
  role: InvitableRole = 'member',
  invitedBy = adam.userId,
  expiresAt = SENT_EXPIRES_AT,
): OrganizationEvent => ({ type: 'MemberInvited', data: { invitationId, email, role, invitedBy, expiresAt } });
export const resent = (
  invitationId: string,
  sendNumber: number,
  expiresAt: string,
  resentBy = adam.userId,
): OrganizationEvent => ({ type: 'InvitationResent', data: { invitationId, sendNumber, expiresAt, resentBy } });
export const revoked = (
  invitationId: string,
  revokedBy = adam.userId,
  reason: InvitationRevoked['data']['reason'] = 'revoked',
): OrganizationEvent => ({ type: 'InvitationRevoked', data: { invitationId, revokedBy, reason } });
export const expired = (invitationId: string): OrganizationEvent => ({ type: 'InvitationExpired', data: { invitationId } });
export const accepted = (invitationId: string, userId: string): OrganizationEvent => ({
  type: 'InvitationAccepted',
  data: { invitationId, userId },
});
export const declined = (invitationId: string, userId: string): OrganizationEvent => ({
  type: 'InvitationDeclined',
  data: { invitationId, userId },
});
export const roleChanged = (userId: string, from: Role, to: Role, changedBy = olivia.userId): OrganizationEvent => ({
  type: 'RoleChanged',
  data: { userId, from, to, changedBy },
});
export const transferred = (previousOwnerId: string, newOwnerId: string): OrganizationEvent => ({
  type: 'OwnershipTransferred',
  data: { previousOwnerId, newOwnerId },
});
export const removed = (userId: string, role: Role, removedBy = olivia.userId): OrganizationEvent => ({
  type: 'MemberRemoved',
  data: { userId, role, removedBy },
});
export const left = (userId: string, role: Role): OrganizationEvent => ({ type: 'MemberLeft', data: { userId, role } });
export const deleted = (deletedBy = olivia.userId): OrganizationEvent => ({
  type: 'OrganizationDeleted',
  data: { deletedBy },
});

// --- standard histories
/** Olivia (owner), Adam (admin), Mia (member). */
export const team = (): OrganizationEvent[] => [...created(), joined(adam, 'admin'), joined(mia, 'member')];
/** The team, and Ivy invited as a member by Adam, pending until SENT_EXPIRES_AT. */
export const IVY_INVITATION = 'inv-ivy';
export const teamWithIvyInvited = (role: InvitableRole = 'member'): OrganizationEvent[] => [
  ...team(),
  invited(IVY_INVITATION, ivy.email, role),
];

// --- answering a link (accept and decline share these checks, in the order of API.md)
/** A case where answering Ivy's invitation must fail, whichever of accept or decline is asked. */
export type AnswerRefusal = {
  name: string;
  given: OrganizationEvent[];
  sendNumber?: number;
  by?: Invitee;
  now?: Date;
  error: abstract new (...args: never[]) => Error;
};

export function answerRefusals(errors: typeof import('../errors')): AnswerRefusal[] {
  const { AlreadyMember, EmailMismatch, InvitationExpired, InvitationNotFound, InvitationRevoked, InvitationUsed } = errors;
  const invitedIvy = teamWithIvyInvited();
  const stranger: Invitee = { ...nora, emailVerified: true };
  const ivyJoined = [accepted(IVY_INVITATION, ivy.userId), joined(ivy, 'member', IVY_INVITATION)];
  const afterDue = new Date('2026-01-09T00:00:00.000Z');
  return [
    // 1. unknown or forged → not found
    { name: 'an unknown invitation → InvitationNotFound', given: team(), error: InvitationNotFound },
    { name: 'a send number beyond the current one → InvitationNotFound', given: invitedIvy, sendNumber: 2, error: InvitationNotFound },
    { name: 'a deleted organization → InvitationNotFound', given: [...invitedIvy, deleted()], error: InvitationNotFound },
    // 2. revoked
    { name: 'a revoked invitation → InvitationRevoked', given: [...invitedIvy, revoked(IVY_INVITATION)], error: InvitationRevoked },
    { name: 'revoked by the inviter leaving → InvitationRevoked', given: [...invitedIvy, revoked(IVY_INVITATION, adam.userId, 'inviter_left')], error: InvitationRevoked },
    // 3. used
    { name: 'an accepted invitation → InvitationUsed', given: [...invitedIvy, ...ivyJoined, left(ivy.userId, 'member')], error: InvitationUsed },
    { name: 'a declined invitation → InvitationUsed', given: [...invitedIvy, declined(IVY_INVITATION, ivy.userId)], error: InvitationUsed },
    // 4. expired
    { name: 'an invitation recorded as expired → InvitationExpired', given: [...invitedIvy, expired(IVY_INVITATION)], error: InvitationExpired },
    { name: 'a pending invitation past due at now → InvitationExpired', given: invitedIvy, now: afterDue, error: InvitationExpired },
    { name: 'a pending invitation exactly at its due time → InvitationExpired', given: invitedIvy, now: new Date(SENT_EXPIRES_AT), error: InvitationExpired },
    { name: 'the link of an earlier send after a resend → InvitationExpired', given: [...invitedIvy, resent(IVY_INVITATION, 2, NOW_PLUS_TTL)], sendNumber: 1, error: InvitationExpired },
    // 5. email
    { name: 'another email → EmailMismatch', given: invitedIvy, by: stranger, error: EmailMismatch },
    { name: 'the same name at another domain → EmailMismatch', given: invitedIvy, by: { ...ivyInvitee, email: 'ivy@example.org' }, error: EmailMismatch },
    { name: 'email_verified false → EmailMismatch', given: invitedIvy, by: { ...ivyInvitee, emailVerified: false }, error: EmailMismatch },
    // 6. already a member: Mia, whose identity provider now gives her the invited address
    { name: 'a caller who already is an active member → AlreadyMember', given: [...team(), invited(IVY_INVITATION, 'mia.new@example.com')], by: { ...mia, email: 'mia.new@example.com', emailVerified: true }, error: AlreadyMember },
    // several conditions at once: the first in API.md's order wins
    { name: 'forged send number AND revoked → InvitationNotFound', given: [...invitedIvy, revoked(IVY_INVITATION)], sendNumber: 5, error: InvitationNotFound },
    { name: 'revoked AND email mismatch AND stale link AND past due → InvitationRevoked', given: [...invitedIvy, resent(IVY_INVITATION, 2, NOW_PLUS_TTL), revoked(IVY_INVITATION)], sendNumber: 1, by: { ...stranger, emailVerified: false }, now: new Date('2026-02-01T00:00:00.000Z'), error: InvitationRevoked },
    { name: 'declined AND past due AND email mismatch → InvitationUsed', given: [...invitedIvy, declined(IVY_INVITATION, ivy.userId)], now: afterDue, by: stranger, error: InvitationUsed },
    { name: 'accepted AND caller already a member → InvitationUsed', given: [...invitedIvy, ...ivyJoined], error: InvitationUsed },
    { name: 'expired AND email mismatch → InvitationExpired', given: [...invitedIvy, expired(IVY_INVITATION)], by: stranger, error: InvitationExpired },
    { name: 'stale link AND unverified email → InvitationExpired', given: [...invitedIvy, resent(IVY_INVITATION, 2, NOW_PLUS_TTL)], sendNumber: 1, by: { ...ivyInvitee, emailVerified: false }, error: InvitationExpired },
    { name: 'email mismatch AND caller already a member → EmailMismatch', given: invitedIvy, by: { ...mia, emailVerified: true }, error: EmailMismatch },
  ];
}
