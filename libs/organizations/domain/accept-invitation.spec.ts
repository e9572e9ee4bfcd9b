import { acceptInvitation, type AcceptInvitation } from './accept-invitation';
import type { Invitee } from './actor';
import * as errors from './errors';
import type { OrganizationEvent } from './events';
import {
  answerRefusals,
  invited,
  ivyInvitee,
  IVY_INVITATION,
  left,
  NOW,
  NOW_PLUS_TTL,
  ORG_ID,
  removed,
  resent,
  specOf,
  team,
  teamWithIvyInvited,
} from './testing/fixtures';

const spec = specOf(acceptInvitation);
const accept = (sendNumber = 1, by: Invitee = ivyInvitee, now = NOW, invitationId = IVY_INVITATION): AcceptInvitation => ({
  type: 'AcceptInvitation',
  orgId: ORG_ID,
  link: { invitationId, sendNumber },
  by,
  now,
});
const joinedAs = (role: 'admin' | 'member', by: Invitee = ivyInvitee): OrganizationEvent[] => [
  { type: 'InvitationAccepted', data: { invitationId: IVY_INVITATION, userId: by.userId } },
  {
    type: 'MemberJoined',
    data: { userId: by.userId, email: 'ivy@example.com', name: by.name, role, invitationId: IVY_INVITATION },
  },
];

describe('AcceptInvitation', () => {
  it('makes the invitee an active member with the invited role', () => {
    spec
      .given(...teamWithIvyInvited())
      .when(accept())
      .then([
        { type: 'InvitationAccepted', data: { invitationId: IVY_INVITATION, userId: 'ivy' } },
        {
          type: 'MemberJoined',
          data: { userId: 'ivy', email: 'ivy@example.com', name: null, role: 'member', invitationId: IVY_INVITATION },
        },
      ]);
  });

  it('gives the admin role when invited as admin, and records the token’s display name', () => {
    const named = { ...ivyInvitee, name: 'Ivy I.' };
    spec.given(...teamWithIvyInvited('admin')).when(accept(1, named)).then(joinedAs('admin', named));
  });

  it('accepts an email_verified claim that is absent (null)', () => {
    const unknownVerification = { ...ivyInvitee, emailVerified: null };
    spec.given(...teamWithIvyInvited()).when(accept(1, unknownVerification)).then(joinedAs('member', unknownVerification));
  });

  it('accepts the link of the latest send after a resend', () => {
    spec.given(...teamWithIvyInvited(), resent(IVY_INVITATION, 2, NOW_PLUS_TTL)).when(accept(2)).then(joinedAs('member'));
  });

  it('accepts one millisecond before the due time', () => {
    spec
      .given(...teamWithIvyInvited())
      .when(accept(1, ivyInvitee, new Date('2026-01-07T23:59:59.999Z')))
      .then(joinedAs('member'));
  });

  it('lets a former member who left come back through a new invitation', () => {
    spec
      .given(...team(), left('mia', 'member'), invited(IVY_INVITATION, 'mia@example.com', 'admin'))
      .when(accept(1, { userId: 'mia', email: 'mia@example.com', name: 'Mia', emailVerified: true }))
      .then([
        { type: 'InvitationAccepted', data: { invitationId: IVY_INVITATION, userId: 'mia' } },
        {
          type: 'MemberJoined',
          data: { userId: 'mia', email: 'mia@example.com', name: 'Mia', role: 'admin', invitationId: IVY_INVITATION },
        },
      ]);
  });

  it('lets a removed member come back too', () => {
    spec
      .given(...team(), removed('mia', 'member'), invited(IVY_INVITATION, 'mia@example.com'))
      .when(accept(1, { userId: 'mia', email: 'mia@example.com', name: 'Mia', emailVerified: true }))
      .then([
        { type: 'InvitationAccepted', data: { invitationId: IVY_INVITATION, userId: 'mia' } },
        {
          type: 'MemberJoined',
          data: { userId: 'mia', email: 'mia@example.com', name: 'Mia', role: 'member', invitationId: IVY_INVITATION },
        },
      ]);
  });

  describe('refuses, checking in the order of API.md', () => {
    it.each(answerRefusals(errors).map((c) => [c.name, c] as const))('%s', (_, c) => {
      spec
        .given(...c.given)
        .when(accept(c.sendNumber ?? 1, c.by ?? ivyInvitee, c.now ?? NOW))
        .thenThrows(c.error);
    });
  });

  it('refuses an invitation id of another organization → InvitationNotFound', () => {
    spec.given(...teamWithIvyInvited()).when(accept(1, ivyInvitee, NOW, 'inv-elsewhere')).thenThrows(errors.InvitationNotFound);
  });
});
