// GET /orgs/{orgId}/invitations and GET /me/invitations: every invitation with its recorded status
// (a pending one past its expiry is shown as expired at query time).
import type Database from 'better-sqlite3';
import type { StoredEvent } from '../../platform/event-store/event-store';
import type { SqliteProjection } from '../../platform/read-store/read-store';
import type { OrganizationEvent } from '../domain/events';
import type { InvitationStatus } from '../domain/organization';
import { isOrganizationEvent, orgIdOf } from './event-source';

export type InvitationOp =
  | { op: 'invited'; orgId: string; invitationId: string; email: string; role: string; invitedBy: string; invitedAt: string; expiresAt: string }
  | { op: 'status'; orgId: string; invitationId: string; status: InvitationStatus; expiresAt?: string }
  | { op: 'orgDeleted'; orgId: string };

const CLOSING: Partial<Record<OrganizationEvent['type'], InvitationStatus>> = {
  InvitationExpired: 'expired',
  InvitationAccepted: 'accepted',
  InvitationDeclined: 'declined',
  InvitationRevoked: 'revoked',
};

/** Pure: what one event changes in the invitations list. */
export function invitationOps(event: StoredEvent): InvitationOp[] {
  const orgId = orgIdOf(event);
  if (!orgId || !isOrganizationEvent(event)) return [];
  const e = event as unknown as OrganizationEvent;
  if (e.type === 'MemberInvited') {
    const { invitationId, email, role, invitedBy, expiresAt } = e.data;
    return [{ op: 'invited', orgId, invitationId, email, role, invitedBy, invitedAt: event.metadata.occurredAt, expiresAt }];
  }
  if (e.type === 'InvitationResent') return [{ op: 'status', orgId, invitationId: e.data.invitationId, status: 'pending', expiresAt: e.data.expiresAt }];
  if (e.type === 'OrganizationDeleted') return [{ op: 'orgDeleted', orgId }];
  const status = CLOSING[e.type];
  return status ? [{ op: 'status', orgId, invitationId: (e.data as { invitationId: string }).invitationId, status }] : [];
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS invitation_view (
    org_id TEXT NOT NULL, invitation_id TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL, status TEXT NOT NULL,
    invited_by TEXT NOT NULL, invited_at TEXT NOT NULL, expires_at TEXT NOT NULL,
    PRIMARY KEY (org_id, invitation_id)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS invitation_view_by_email ON invitation_view (email, status, invitation_id);
`;

function prepare(db: Database.Database) {
  const s = {
    invited: db.prepare(
      `INSERT OR REPLACE INTO invitation_view (org_id, invitation_id, email, role, status, invited_by, invited_at, expires_at)
       VALUES (@orgId, @invitationId, @email, @role, 'pending', @invitedBy, @invitedAt, @expiresAt)`,
    ),
    status: db.prepare('UPDATE invitation_view SET status = ?, expires_at = COALESCE(?, expires_at) WHERE org_id = ? AND invitation_id = ?'),
    deleteOrg: db.prepare('DELETE FROM invitation_view WHERE org_id = ?'),
  };
  function run(o: InvitationOp) {
    if (o.op === 'invited') s.invited.run(o);
    else if (o.op === 'status') s.status.run(o.status, o.expiresAt ?? null, o.orgId, o.invitationId);
    else s.deleteOrg.run(o.orgId);
  }
  return (event: StoredEvent) => invitationOps(event).forEach(run);
}

export const invitationsProjection: SqliteProjection = {
  name: 'invitations',
  schema: SCHEMA,
  tables: ['invitation_view'],
  prepare,
};
