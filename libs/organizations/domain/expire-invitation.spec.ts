import { expireInvitation, type ExpireInvitation } from './expire-invitation';
import {
  accepted,
  declined,
  deleted,
  expired,
  ivy,
  IVY_INVITATION,
  joined,
  ORG_ID,
  resent,
  revoked,
  SENT_EXPIRES_AT,
  specOf,
  teamWithIvyInvited,
} from './testing/fixtures';

const spec = specOf(expireInvitation);
const expire = (now: string, invitationId = IVY_INVITATION): ExpireInvitation => ({
  type: 'ExpireInvitation',
  orgId: ORG_ID,
  invitationId,
  now: new Date(now),
});
const DUE = SENT_EXPIRES_AT;
const AFTER_DUE = '2026-01-08T00:00:00.001Z';

describe('ExpireInvitation', () => {
  it('expires a pending invitation at its due time', () => {
    spec.given(...teamWithIvyInvited()).when(expire(DUE)).then([{ type: 'InvitationExpired', data: { invitationId: IVY_INVITATION } }]);
  });

  it('expires a pending invitation after its due time', () => {
    spec.given(...teamWithIvyInvited()).when(expire(AFTER_DUE)).then([expired(IVY_INVITATION)]);
  });

  it('does nothing before the due time (a job run early)', () => {
    spec.given(...teamWithIvyInvited()).when(expire('2026-01-07T23:59:59.999Z')).thenNothing();
  });

  it('does nothing when already expired (a job run twice)', () => {
    spec.given(...teamWithIvyInvited(), expired(IVY_INVITATION)).when(expire(AFTER_DUE)).thenNothing();
  });

  it('does nothing after a resend: the old due time no longer expires it', () => {
    spec.given(...teamWithIvyInvited(), resent(IVY_INVITATION, 2, '2026-01-12T00:00:00.000Z')).when(expire(AFTER_DUE)).thenNothing();
  });

  it('expires a resent invitation at its new due time', () => {
    spec
      .given(...teamWithIvyInvited(), resent(IVY_INVITATION, 2, '2026-01-12T00:00:00.000Z'))
      .when(expire('2026-01-12T00:00:00.000Z'))
      .then([expired(IVY_INVITATION)]);
  });

  it.each([
    ['accepted', [accepted(IVY_INVITATION, 'ivy'), joined(ivy, 'member', IVY_INVITATION)]],
    ['declined', [declined(IVY_INVITATION, 'ivy')]],
    ['revoked', [revoked(IVY_INVITATION)]],
  ])('does nothing on an invitation that was %s', (_, closing) => {
    spec.given(...teamWithIvyInvited(), ...closing).when(expire(AFTER_DUE)).thenNothing();
  });

  it('does nothing on an unknown invitation', () => {
    spec.given(...teamWithIvyInvited()).when(expire(AFTER_DUE, 'inv-unknown')).thenNothing();
  });

  it('does nothing in a deleted organization', () => {
    spec.given(...teamWithIvyInvited(), deleted()).when(expire(AFTER_DUE)).thenNothing();
  });

  it('does nothing in an organization that does not exist', () => {
    spec.given().when(expire(AFTER_DUE)).thenNothing();
  });
});
