import { actorOf, type OrganizationCommand } from './commands';
import type { OrganizationEvent } from './events';
import {
  accepted,
  adam,
  deleted,
  expired,
  invited,
  ivy,
  ivyInvitee,
  IVY_INVITATION,
  joined,
  left,
  NOW,
  NOW_PLUS_TTL,
  olivia,
  ORG_ID,
  removed,
  resent,
  revoked,
  roleChanged,
  SENT_EXPIRES_AT,
  spec,
  teamWithIvyInvited,
  transferred,
  TTL_SECONDS,
  created,
  declined,
} from './testing/fixtures';

type Row<K extends OrganizationCommand['type']> = {
  /** The history before the command: the team with Ivy invited, unless said. */
  given?: OrganizationEvent[];
  cmd: Extract<OrganizationCommand, { type: K }>;
  then: OrganizationEvent[];
};
const base = { orgId: ORG_ID, now: NOW };
const link = { invitationId: IVY_INVITATION, sendNumber: 1 };

// One command per type; the mapped type makes the compiler insist on every command type being here.
const TABLE: { [K in OrganizationCommand['type']]: Row<K> } = {
  CreateOrganization: {
    given: [],
    cmd: { ...base, type: 'CreateOrganization', name: 'Beta', by: olivia },
    then: created(olivia, 'Beta'),
  },
  RenameOrganization: {
    cmd: { ...base, type: 'RenameOrganization', name: 'Acme Labs', by: 'olivia' },
    then: [{ type: 'OrganizationRenamed', data: { name: 'Acme Labs', previousName: 'Acme', renamedBy: 'olivia' } }],
  },
  DeleteOrganization: { cmd: { ...base, type: 'DeleteOrganization', by: 'olivia' }, then: [deleted('olivia')] },
  InviteMember: {
    cmd: { ...base, type: 'InviteMember', invitationId: 'inv-2', email: 'Uma@Example.com', role: 'admin', by: adam, ttlSeconds: TTL_SECONDS },
    then: [invited('inv-2', 'uma@example.com', 'admin', 'adam', NOW_PLUS_TTL)],
  },
  ResendInvitation: {
    cmd: { ...base, type: 'ResendInvitation', invitationId: IVY_INVITATION, by: 'adam', ttlSeconds: TTL_SECONDS },
    then: [resent(IVY_INVITATION, 2, NOW_PLUS_TTL, 'adam')],
  },
  RevokeInvitation: { cmd: { ...base, type: 'RevokeInvitation', invitationId: IVY_INVITATION, by: 'adam' }, then: [revoked(IVY_INVITATION, 'adam')] },
  ExpireInvitation: {
    cmd: { ...base, type: 'ExpireInvitation', invitationId: IVY_INVITATION, now: new Date(SENT_EXPIRES_AT) },
    then: [expired(IVY_INVITATION)],
  },
  AcceptInvitation: {
    cmd: { ...base, type: 'AcceptInvitation', link, by: ivyInvitee },
    then: [accepted(IVY_INVITATION, 'ivy'), joined(ivy, 'member', IVY_INVITATION)],
  },
  DeclineInvitation: { cmd: { ...base, type: 'DeclineInvitation', link, by: ivyInvitee }, then: [declined(IVY_INVITATION, 'ivy')] },
  ChangeRole: { cmd: { ...base, type: 'ChangeRole', userId: 'mia', role: 'admin', by: 'adam' }, then: [roleChanged('mia', 'member', 'admin', 'adam')] },
  TransferOwnership: { cmd: { ...base, type: 'TransferOwnership', newOwnerId: 'adam', by: 'olivia' }, then: [transferred('olivia', 'adam')] },
  RemoveMember: { cmd: { ...base, type: 'RemoveMember', userId: 'mia', by: 'adam' }, then: [removed('mia', 'member', 'adam')] },
  LeaveOrganization: { cmd: { ...base, type: 'LeaveOrganization', by: 'mia' }, then: [left('mia', 'member')] },
};

describe('decide', () => {
  const rows = Object.values(TABLE) as Array<Row<OrganizationCommand['type']>>;

  it.each(rows.map((r) => [r.cmd.type, r] as const))('dispatches %s to its decider', (_, row) => {
    spec
      .given(...(row.given ?? teamWithIvyInvited()))
      .when(row.cmd)
      .then(row.then);
  });

  it('covers every command type', () => {
    expect(Object.keys(TABLE)).toHaveLength(13);
  });

  it('actorOf names the caller, and no one for the expiry job', () => {
    expect(Object.fromEntries(rows.map((r) => [r.cmd.type, actorOf(r.cmd)]))).toEqual({
      CreateOrganization: 'olivia',
      RenameOrganization: 'olivia',
      DeleteOrganization: 'olivia',
      InviteMember: 'adam',
      ResendInvitation: 'adam',
      RevokeInvitation: 'adam',
      ExpireInvitation: null,
      AcceptInvitation: 'ivy',
      DeclineInvitation: 'ivy',
      ChangeRole: 'adam',
      TransferOwnership: 'olivia',
      RemoveMember: 'adam',
      LeaveOrganization: 'mia',
    });
  });
});
