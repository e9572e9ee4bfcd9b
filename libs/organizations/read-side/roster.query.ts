// GET /orgs/{orgId}/members: filters, sorts and keyset pagination over the roster's indexes, so that a
// page costs the same on 100 members as on 100,000.
import type Database from 'better-sqlite3';
import { decodeCursor, invalid, parseLimit, requireKnownParams, toPage, type Page } from '../../platform/http/pagination';
import { isRole } from '../domain/permissions';
import { memberRowId, ROSTER_SORT_COLUMNS } from './roster.projection';

type RosterRow = {
  row_id: string; kind: 'member' | 'invitation'; user_id: string | null; invitation_id: string | null;
  name: string | null; email: string; role: string; status: string; joined_at: string | null;
  last_active_key: string; imports: number; deployments: number; audits: number;
  invited_at: string | null; invited_by: string | null; expires_at: string | null; sort_key: string | number;
};

export type MemberRowView = ReturnType<typeof memberRow>;

const memberRow = (r: RosterRow) => ({
  kind: 'member' as const,
  userId: r.user_id!,
  name: r.name!,
  email: r.email,
  role: r.role,
  status: 'active' as const,
  joinedAt: r.joined_at!,
  lastActiveAt: r.last_active_key || null,
  imports: r.imports,
  deployments: r.deployments,
  audits: r.audits,
});

const invitationRow = (r: RosterRow, now: string) => ({
  kind: 'invitation' as const,
  invitationId: r.invitation_id!,
  email: r.email,
  role: r.role,
  status: r.status === 'invited' && r.expires_at! <= now ? ('expired' as const) : (r.status as 'invited' | 'expired'),
  invitedAt: r.invited_at!,
  invitedBy: r.invited_by!,
  expiresAt: r.expires_at!,
});

const SORTS = Object.keys(ROSTER_SORT_COLUMNS);
const NUMERIC = new Set(['imports', 'deployments', 'audits']);

export function rosterQueries(db: Database.Database) {
  // Prepared on first use: the projection runner creates the tables when the application starts.
  let one: Database.Statement<[string, string], RosterRow> | undefined;

  return {
    member(orgId: string, userId: string): MemberRowView | null {
      one ??= db.prepare<[string, string], RosterRow>('SELECT *, 0 AS sort_key FROM roster WHERE org_id = ? AND row_id = ?');
      const row = one.get(orgId, memberRowId(userId));
      return row ? memberRow(row) : null;
    },

    list(orgId: string, query: Record<string, unknown>, now: Date): Page<ReturnType<typeof memberRow> | ReturnType<typeof invitationRow>> {
      requireKnownParams(query, ['status', 'role', 'q', 'sort', 'limit', 'cursor']);
      const limit = parseLimit(query.limit);
      const sortParam = query.sort === undefined ? 'name' : String(query.sort);
      const descending = sortParam.startsWith('-');
      const sort = descending ? sortParam.slice(1) : sortParam;
      if (!SORTS.includes(sort)) throw invalid('sort', `must be one of ${SORTS.join(', ')}, with an optional '-' prefix`);
      const column = ROSTER_SORT_COLUMNS[sort as keyof typeof ROSTER_SORT_COLUMNS];
      const cursor = decodeCursor(query.cursor, [NUMERIC.has(sort) ? 'number' : 'string', 'string']);

      const where = ['org_id = @orgId'];
      const params: Record<string, unknown> = { orgId, now: now.toISOString(), limit: limit + 1 };
      if (query.status !== undefined) {
        if (query.status === 'active') where.push(`kind = 'member'`);
        else if (query.status === 'invited') where.push(`kind = 'invitation' AND status = 'invited' AND expires_at > @now`);
        else if (query.status === 'expired') where.push(`kind = 'invitation' AND (status = 'expired' OR expires_at <= @now)`);
        else throw invalid('status', 'must be active, invited or expired');
      }
      if (query.role !== undefined) {
        if (!isRole(query.role)) throw invalid('role', 'must be owner, admin or member');
        where.push('role = @role');
        params.role = query.role;
      }
      if (query.q !== undefined) {
        if (typeof query.q !== 'string' || query.q.length < 1 || query.q.length > 200) throw invalid('q', 'must be 1 to 200 characters');
        where.push('(instr(name_key, @q) > 0 OR instr(email, @q) > 0)');
        params.q = query.q.normalize('NFC').toLowerCase();
      }
      if (cursor) {
        where.push(`(${column}, row_id) ${descending ? '<' : '>'} (@after, @afterRow)`);
        params.after = cursor[0];
        params.afterRow = cursor[1];
      }
      const direction = descending ? 'DESC' : 'ASC';
      const rows = db
        .prepare<Record<string, unknown>, RosterRow>(
          `SELECT *, ${column} AS sort_key FROM roster WHERE ${where.join(' AND ')} ORDER BY ${column} ${direction}, row_id ${direction} LIMIT @limit`,
        )
        .all(params);
      const nowIso = now.toISOString();
      return toPage(
        rows,
        limit,
        (r) => (r.kind === 'member' ? memberRow(r) : invitationRow(r, nowIso)),
        (r) => [r.sort_key, r.row_id],
      );
    },
  };
}
export type RosterQueries = ReturnType<typeof rosterQueries>;
