import type { Invitee } from './actor';
import { declineInvitation, type DeclineInvitation } from './decline-invitation';
import * as errors from './errors';
import { answerRefusals, ivyInvitee, IVY_INVITATION, NOW, NOW_PLUS_TTL, ORG_ID, resent, specOf, teamWithIvyInvited } from './testing/fixtures';

const spec = specOf(declineInvitation);
const decline = (sendNumber = 1, by: Invitee = ivyInvitee, now = NOW): DeclineInvitation => ({
  type: 'DeclineInvitation',
  orgId: ORG_ID,
  link: { invitationId: IVY_INVITATION, sendNumber },
  by,
  now,
});

describe('DeclineInvitation', () => {
  it('declines the invitation', () => {
    spec
      .given(...teamWithIvyInvited())
      .when(decline())
      .then([{ type: 'InvitationDeclined', data: { invitationId: IVY_INVITATION, userId: 'ivy' } }]);
  });

  it('accepts an email_verified claim that is absent (null)', () => {
    spec
      .given(...teamWithIvyInvited())
      .when(decline(1, { ...ivyInvitee, emailVerified: null }))
      .then([{ type: 'InvitationDeclined', data: { invitationId: IVY_INVITATION, userId: 'ivy' } }]);
  });

  it('declines through the link of the latest send', () => {
    spec
      .given(...teamWithIvyInvited(), resent(IVY_INVITATION, 2, NOW_PLUS_TTL))
      .when(decline(2))
      .then([{ type: 'InvitationDeclined', data: { invitationId: IVY_INVITATION, userId: 'ivy' } }]);
  });

  describe('refuses, checking in the order of API.md', () => {
    it.each(answerRefusals(errors).map((c) => [c.name, c] as const))('%s', (_, c) => {
      spec
        .given(...c.given)
        .when(decline(c.sendNumber ?? 1, c.by ?? ivyInvitee, c.now ?? NOW))
        .thenThrows(c.error);
    });
  });
});
