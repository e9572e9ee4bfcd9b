// GET /orgs, GET /orgs/{orgId}/invitations and GET /me/invitations.
import type Database from 'better-sqlite3';
import { decodeCursor, invalid, parseLimit, requireKnownParams, toPage, type Page } from '../../platform/http/pagination';

/** Rows as both engines store them (Mongo documents use the same field names). */
export type InvitationRow = {
  org_id: string; invitation_id: string; email: string; role: string; status: string;
  invited_by: string; invited_at: string; expires_at: string;
};
export type OrgRow = { org_id: string; name: string; owner_id: string; created_at: string; member_count: number; role: string };

export const INVITATION_STATUSES = ['pending', 'expired', 'accepted', 'declined', 'revoked'];

export const invitationView = (r: InvitationRow, now: string) => ({
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
const SQL_STATUS_FILTER: Record<string, string> = {
  pending: `status = 'pending' AND expires_at > @now`,
  expired: `(status = 'expired' OR (status = 'pending' AND expires_at <= @now))`,
  accepted: `status = 'accepted'`,
  declined: `status = 'declined'`,
  revoked: `status = 'revoked'`,
};

export const orgView = (r: OrgRow) => ({
  id: r.org_id, name: r.name, ownerId: r.owner_id, memberCount: r.member_count, createdAt: r.created_at, role: r.role,
});
export type InvitationView = ReturnType<typeof invitationView>;

/** The checked query strings of the three lists, shared by every engine. */
export function parseOrganizationsParams(query: Record<string, unknown>) {
  requireKnownParams(query, ['limit', 'cursor']);
  return { limit: parseLimit(query.limit), after: (decodeCursor(query.cursor, ['string'])?.[0] as string | undefined) ?? '' };
}
export function parseInvitationsParams(query: Record<string, unknown>) {
  requireKnownParams(query, ['status', 'limit', 'cursor']);
  const limit = parseLimit(query.limit);
  const after = (decodeCursor(query.cursor, ['string'])?.[0] as string | undefined) ?? '';
  if (query.status !== undefined && (typeof query.status !== 'string' || !INVITATION_STATUSES.includes(query.status))) {
    throw invalid('status', `must be one of ${INVITATION_STATUSES.join(', ')}`);
  }
  return { limit, after, status: query.status as string | undefined };
}
export const parseInvitationsToParams = parseOrganizationsParams;

export function invitationPage(rows: InvitationRow[], limit: number, now: Date): Page<InvitationView> {
  const nowIso = now.toISOString();
  return toPage(rows, limit, (r) => invitationView(r, nowIso), (r) => [r.invitation_id]);
}
export const organizationPage = (rows: OrgRow[], limit: number) => toPage(rows, limit, orgView, (r) => [r.org_id]);

/** GET /orgs, the invitation lists, and the expiry sweep's look-up; each engine implements them. */
export type ListQueries = {
  myOrganizations(userId: string, query: Record<string, unknown>): Promise<Page<ReturnType<typeof orgView>>>;
  invitations(orgId: string, query: Record<string, unknown>, now: Date): Promise<Page<InvitationView>>;
  /** Pending invitations addressed to the caller's (normalized) email, across organizations. */
  invitationsTo(email: string, query: Record<string, unknown>, now: Date): Promise<Page<InvitationView>>;
  /** Pending invitations past their expiry, oldest first, at most `limit`. */
  dueInvitations(now: Date, limit: number): Promise<Array<{ orgId: string; invitationId: string }>>;
};

export function listQueries(db: Database.Database): ListQueries {
  return {
    async myOrganizations(userId, query) {
      const p = parseOrganizationsParams(query);
      const rows = db
        .prepare<unknown[], OrgRow>(
          `SELECT o.*, m.role FROM org_memberships m JOIN org_view o ON o.org_id = m.org_id
           WHERE m.user_id = ? AND m.org_id > ? ORDER BY m.org_id LIMIT ?`,
        )
        .all(userId, p.after, p.limit + 1);
      return organizationPage(rows, p.limit);
    },

    async invitations(orgId, query, now) {
      const p = parseInvitationsParams(query);
      const where = ['org_id = @orgId', 'invitation_id > @after'];
      if (p.status !== undefined) where.push(SQL_STATUS_FILTER[p.status]);
      const rows = db
        .prepare<Record<string, unknown>, InvitationRow>(
          `SELECT * FROM invitation_view WHERE ${where.join(' AND ')} ORDER BY invitation_id LIMIT @limit`,
        )
        .all({ orgId, after: p.after, now: now.toISOString(), limit: p.limit + 1 });
      return invitationPage(rows, p.limit, now);
    },

    async invitationsTo(email, query, now) {
      const p = parseInvitationsToParams(query);
      const rows = db
        .prepare<Record<string, unknown>, InvitationRow>(
          `SELECT * FROM invitation_view WHERE email = @email AND status = 'pending' AND expires_at > @now AND invitation_id > @after
           ORDER BY invitation_id LIMIT @limit`,
        )
        .all({ email, now: now.toISOString(), after: p.after, limit: p.limit + 1 });
      return invitationPage(rows, p.limit, now);
    },

    async dueInvitations(now, limit) {
      return db
        .prepare<[string, number], { orgId: string; invitationId: string }>(
          `SELECT org_id AS orgId, invitation_id AS invitationId FROM invitation_view
           WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
        )
        .all(now.toISOString(), limit);
    },
  };
}
