// GET /orgs, GET /orgs/{orgId}/invitations and GET /me/invitations.
import type Database from 'better-sqlite3';
import { decodeCursor, invalid, parseLimit, requireKnownParams, toPage } from '../../platform/http/pagination';

type InvitationRow = {
  org_id: string; invitation_id: string; email: string; role: string; status: string;
  invited_by: string; invited_at: string; expires_at: string;
};
type OrgRow = { org_id: string; name: string; owner_id: string; created_at: string; member_count: number; role: string };

const INVITATION_STATUSES = ['pending', 'expired', 'accepted', 'declined', 'revoked'];

const invitationView = (r: InvitationRow, now: string) => ({
  id: r.invitation_id,
  orgId: r.org_id,
  email: r.email,
  role: r.role,
  status: r.status === 'pending' && r.expires_at <= now ? 'expired' : r.status,
  invitedBy: r.invited_by,
  invitedAt: r.invited_at,
  expiresAt: r.expires_at,
});

// The recorded status, corrected by time: a pending invitation past due is expired.
const STATUS_FILTER: Record<string, string> = {
  pending: `status = 'pending' AND expires_at > @now`,
  expired: `(status = 'expired' OR (status = 'pending' AND expires_at <= @now))`,
  accepted: `status = 'accepted'`,
  declined: `status = 'declined'`,
  revoked: `status = 'revoked'`,
};

export function listQueries(db: Database.Database) {
  return {
    myOrganizations(userId: string, query: Record<string, unknown>) {
      requireKnownParams(query, ['limit', 'cursor']);
      const limit = parseLimit(query.limit);
      const cursor = decodeCursor(query.cursor, ['string']);
      const rows = db
        .prepare<unknown[], OrgRow>(
          `SELECT o.*, m.role FROM org_memberships m JOIN org_view o ON o.org_id = m.org_id
           WHERE m.user_id = ? AND m.org_id > ? ORDER BY m.org_id LIMIT ?`,
        )
        .all(userId, cursor ? cursor[0] : '', limit + 1);
      return toPage(
        rows,
        limit,
        (r) => ({ id: r.org_id, name: r.name, ownerId: r.owner_id, memberCount: r.member_count, createdAt: r.created_at, role: r.role }),
        (r) => [r.org_id],
      );
    },

    invitations(orgId: string, query: Record<string, unknown>, now: Date) {
      requireKnownParams(query, ['status', 'limit', 'cursor']);
      const limit = parseLimit(query.limit);
      const cursor = decodeCursor(query.cursor, ['string']);
      const where = ['org_id = @orgId', 'invitation_id > @after'];
      if (query.status !== undefined) {
        if (typeof query.status !== 'string' || !INVITATION_STATUSES.includes(query.status)) {
          throw invalid('status', `must be one of ${INVITATION_STATUSES.join(', ')}`);
        }
        where.push(STATUS_FILTER[query.status]);
      }
      const rows = db
        .prepare<Record<string, unknown>, InvitationRow>(
          `SELECT * FROM invitation_view WHERE ${where.join(' AND ')} ORDER BY invitation_id LIMIT @limit`,
        )
        .all({ orgId, after: cursor ? cursor[0] : '', now: now.toISOString(), limit: limit + 1 });
      const nowIso = now.toISOString();
      return toPage(rows, limit, (r) => invitationView(r, nowIso), (r) => [r.invitation_id]);
    },

    /** Pending invitations addressed to the caller's (normalized) email, across organizations. */
    invitationsTo(email: string, query: Record<string, unknown>, now: Date) {
      requireKnownParams(query, ['limit', 'cursor']);
      const limit = parseLimit(query.limit);
      const cursor = decodeCursor(query.cursor, ['string']);
      const rows = db
        .prepare<Record<string, unknown>, InvitationRow>(
          `SELECT * FROM invitation_view WHERE email = @email AND status = 'pending' AND expires_at > @now AND invitation_id > @after
           ORDER BY invitation_id LIMIT @limit`,
        )
        .all({ email, now: now.toISOString(), after: cursor ? cursor[0] : '', limit: limit + 1 });
      const nowIso = now.toISOString();
      return toPage(rows, limit, (r) => invitationView(r, nowIso), (r) => [r.invitation_id]);
    },
  };
}
export type ListQueries = ReturnType<typeof listQueries>;
