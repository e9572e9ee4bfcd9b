// The roster of GET /orgs/{orgId}/members: one row per active member (with activity counts and
// lastActiveAt) and one per open invitation. Counts and lastActiveAt live in roster_stats too, so that
// they stay with a member's history after removal and come back if the member rejoins.
import type Database from 'better-sqlite3';
import type { StoredEvent } from '../../platform/event-store/event-store';
import type { SqliteProjection } from '../../platform/read-store/read-store';
import { activityOf, type ActivityData, type ActivityCounter } from '../../activity/domain/events';
import type { OrganizationEvent } from '../domain/events';
import type { Role } from '../domain/permissions';
import { isOrganizationEvent, orgIdOf } from './event-source';

export type RosterOp =
  | { op: 'joined'; orgId: string; userId: string; name: string; email: string; role: Role; joinedAt: string }
  | { op: 'role'; orgId: string; userId: string; role: Role }
  | { op: 'left'; orgId: string; userId: string }
  | { op: 'invited'; orgId: string; invitationId: string; email: string; role: string; invitedBy: string; invitedAt: string; expiresAt: string }
  | { op: 'invitation'; orgId: string; invitationId: string; status: 'invited' | 'expired'; expiresAt?: string }
  | { op: 'invitationClosed'; orgId: string; invitationId: string }
  | { op: 'active'; orgId: string; userId: string; at: string; counter?: ActivityCounter; itemId?: string | null }
  | { op: 'orgDeleted'; orgId: string };

/** Pure: what one event changes in the roster. */
export function rosterOps(event: StoredEvent): RosterOp[] {
  const orgId = orgIdOf(event);
  if (!orgId) return [];
  const activity = activityOf(event.type);
  if (activity) {
    const data = event.data as ActivityData;
    // Ingestion validates occurredAt; should a bad one ever be stored, it must not stop the read side.
    const parsed = Date.parse(data.occurredAt);
    const at = new Date(Number.isNaN(parsed) ? Date.parse(event.metadata.occurredAt) : parsed).toISOString();
    return [{ op: 'active', orgId, userId: data.actorId, at, counter: activity.counter, itemId: data.itemId }];
  }
  if (!isOrganizationEvent(event)) return [];
  const e = event as unknown as OrganizationEvent;
  const at = event.metadata.occurredAt;
  const ops: RosterOp[] = [];
  switch (e.type) {
    case 'MemberJoined':
      ops.push({ op: 'joined', orgId, userId: e.data.userId, name: e.data.name ?? e.data.email, email: e.data.email, role: e.data.role, joinedAt: at });
      break;
    case 'RoleChanged':
      ops.push({ op: 'role', orgId, userId: e.data.userId, role: e.data.to });
      break;
    case 'OwnershipTransferred':
      ops.push({ op: 'role', orgId, userId: e.data.previousOwnerId, role: 'admin' }, { op: 'role', orgId, userId: e.data.newOwnerId, role: 'owner' });
      break;
    case 'MemberRemoved':
    case 'MemberLeft':
      ops.push({ op: 'left', orgId, userId: e.data.userId });
      break;
    case 'MemberInvited':
      ops.push({ op: 'invited', orgId, invitationId: e.data.invitationId, email: e.data.email, role: e.data.role, invitedBy: e.data.invitedBy, invitedAt: at, expiresAt: e.data.expiresAt });
      break;
    case 'InvitationResent':
      ops.push({ op: 'invitation', orgId, invitationId: e.data.invitationId, status: 'invited', expiresAt: e.data.expiresAt });
      break;
    case 'InvitationExpired':
      ops.push({ op: 'invitation', orgId, invitationId: e.data.invitationId, status: 'expired' });
      break;
    case 'InvitationAccepted':
    case 'InvitationDeclined':
    case 'InvitationRevoked':
      ops.push({ op: 'invitationClosed', orgId, invitationId: e.data.invitationId });
      break;
    case 'OrganizationDeleted':
      return [{ op: 'orgDeleted', orgId }];
  }
  // Any team command counts as the actor's activity (lastActiveAt); the system's own events have no actor.
  if (event.metadata.actorId) ops.push({ op: 'active', orgId, userId: event.metadata.actorId, at });
  return ops;
}

export const ROSTER_SORT_COLUMNS = {
  name: 'name_key',
  email: 'email',
  lastActiveAt: 'last_active_key',
  imports: 'imports',
  deployments: 'deployments',
  audits: 'audits',
} as const;

// The explicit integer id keys the search index (a VACUUM may renumber implicit rowids).
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS roster (
    id INTEGER PRIMARY KEY,
    org_id TEXT NOT NULL, row_id TEXT NOT NULL, kind TEXT NOT NULL,
    user_id TEXT, invitation_id TEXT, name TEXT, name_key TEXT NOT NULL, email TEXT NOT NULL,
    role TEXT NOT NULL, status TEXT NOT NULL, joined_at TEXT, last_active_key TEXT NOT NULL DEFAULT '',
    imports INTEGER NOT NULL DEFAULT 0, deployments INTEGER NOT NULL DEFAULT 0, audits INTEGER NOT NULL DEFAULT 0,
    invited_at TEXT, invited_by TEXT, expires_at TEXT,
    UNIQUE (org_id, row_id)
  );
  ${Object.values(ROSTER_SORT_COLUMNS)
    .map((c) => `CREATE INDEX IF NOT EXISTS roster_by_${c} ON roster (org_id, ${c}, row_id);`)
    .join('\n  ')}
  CREATE INDEX IF NOT EXISTS roster_by_email_kind ON roster (org_id, kind, email);
  -- q= search: the trigrams of each row's name key and email (FTS5 trigram tokenizer), so that a
  -- selective search reads its few candidates instead of every row of the organization. Kept by
  -- triggers; recursive_triggers makes the row deleted by INSERT OR REPLACE leave the index too.
  PRAGMA recursive_triggers = ON;
  CREATE VIRTUAL TABLE IF NOT EXISTS roster_search USING fts5(text, tokenize = 'trigram', content = '', contentless_delete = 1);
  CREATE TRIGGER IF NOT EXISTS roster_search_insert AFTER INSERT ON roster BEGIN
    INSERT INTO roster_search (rowid, text) VALUES (new.id, new.name_key || ' ' || new.email);
  END;
  CREATE TRIGGER IF NOT EXISTS roster_search_delete AFTER DELETE ON roster BEGIN
    DELETE FROM roster_search WHERE rowid = old.id;
  END;
  CREATE TRIGGER IF NOT EXISTS roster_search_update AFTER UPDATE OF name_key, email ON roster BEGIN
    DELETE FROM roster_search WHERE rowid = old.id;
    INSERT INTO roster_search (rowid, text) VALUES (new.id, new.name_key || ' ' || new.email);
  END;
  CREATE TABLE IF NOT EXISTS roster_stats (
    org_id TEXT NOT NULL, user_id TEXT NOT NULL, last_active_key TEXT NOT NULL DEFAULT '',
    imports INTEGER NOT NULL DEFAULT 0, deployments INTEGER NOT NULL DEFAULT 0, audits INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, user_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS roster_seen_items (org_id TEXT NOT NULL, item_id TEXT NOT NULL, PRIMARY KEY (org_id, item_id)) WITHOUT ROWID;
`;

export const memberRowId = (userId: string) => `m:${userId}`;
export const invitationRowId = (invitationId: string) => `i:${invitationId}`;

function prepare(db: Database.Database) {
  const s = {
    statsUpsert: db.prepare(`INSERT INTO roster_stats (org_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`),
    stats: db.prepare<[string, string], { last_active_key: string; imports: number; deployments: number; audits: number }>(
      'SELECT last_active_key, imports, deployments, audits FROM roster_stats WHERE org_id = ? AND user_id = ?',
    ),
    insertMember: db.prepare(
      `INSERT OR REPLACE INTO roster (org_id, row_id, kind, user_id, name, name_key, email, role, status, joined_at, last_active_key, imports, deployments, audits)
       VALUES (@orgId, @rowId, 'member', @userId, @name, @nameKey, @email, @role, 'active', @joinedAt, @lastActive, @imports, @deployments, @audits)`,
    ),
    role: db.prepare('UPDATE roster SET role = ? WHERE org_id = ? AND row_id = ?'),
    delete: db.prepare('DELETE FROM roster WHERE org_id = ? AND row_id = ?'),
    deleteInvitationsOf: db.prepare(`DELETE FROM roster WHERE org_id = ? AND kind = 'invitation' AND email = ?`),
    insertInvitation: db.prepare(
      `INSERT OR REPLACE INTO roster (org_id, row_id, kind, invitation_id, name_key, email, role, status, invited_at, invited_by, expires_at)
       VALUES (@orgId, @rowId, 'invitation', @invitationId, @email, @email, @role, 'invited', @invitedAt, @invitedBy, @expiresAt)`,
    ),
    invitationStatus: db.prepare('UPDATE roster SET status = ?, expires_at = COALESCE(?, expires_at) WHERE org_id = ? AND row_id = ?'),
    seen: db.prepare('INSERT INTO roster_seen_items (org_id, item_id) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    // Counters of the three kinds; the column name comes from a fixed set, never from input.
    bump: Object.fromEntries(
      (['imports', 'deployments', 'audits'] as const).map((c) => [
        c,
        [
          db.prepare(`UPDATE roster_stats SET ${c} = ${c} + 1, last_active_key = MAX(last_active_key, ?) WHERE org_id = ? AND user_id = ?`),
          db.prepare(`UPDATE roster SET ${c} = ${c} + 1, last_active_key = MAX(last_active_key, ?) WHERE org_id = ? AND row_id = ?`),
        ],
      ]),
    ) as Record<ActivityCounter, [Database.Statement, Database.Statement]>,
    touchStats: db.prepare('UPDATE roster_stats SET last_active_key = MAX(last_active_key, ?) WHERE org_id = ? AND user_id = ?'),
    touchRow: db.prepare('UPDATE roster SET last_active_key = MAX(last_active_key, ?) WHERE org_id = ? AND row_id = ?'),
    deleteOrg: db.prepare('DELETE FROM roster WHERE org_id = ?'),
  };

  function run(o: RosterOp) {
    switch (o.op) {
      case 'joined': {
        s.statsUpsert.run(o.orgId, o.userId);
        const stats = s.stats.get(o.orgId, o.userId)!;
        s.insertMember.run({
          orgId: o.orgId, rowId: memberRowId(o.userId), userId: o.userId, name: o.name, nameKey: o.name.normalize('NFC').toLowerCase(),
          email: o.email, role: o.role, joinedAt: o.joinedAt, lastActive: stats.last_active_key,
          imports: stats.imports, deployments: stats.deployments, audits: stats.audits,
        });
        return;
      }
      case 'role':
        s.role.run(o.role, o.orgId, memberRowId(o.userId));
        return;
      case 'left':
        s.delete.run(o.orgId, memberRowId(o.userId));
        return;
      case 'invited':
        // An earlier (expired) invitation of this email leaves the roster: the new one takes its place.
        s.deleteInvitationsOf.run(o.orgId, o.email);
        s.insertInvitation.run({ ...o, rowId: invitationRowId(o.invitationId) });
        return;
      case 'invitation':
        s.invitationStatus.run(o.status, o.expiresAt ?? null, o.orgId, invitationRowId(o.invitationId));
        return;
      case 'invitationClosed':
        s.delete.run(o.orgId, invitationRowId(o.invitationId));
        return;
      case 'active': {
        // An item id seen before in this organization is counted once.
        if (o.counter && o.itemId && s.seen.run(o.orgId, o.itemId).changes === 0) return;
        s.statsUpsert.run(o.orgId, o.userId);
        if (o.counter) {
          const [stats, row] = s.bump[o.counter];
          stats.run(o.at, o.orgId, o.userId);
          row.run(o.at, o.orgId, memberRowId(o.userId));
        } else {
          s.touchStats.run(o.at, o.orgId, o.userId);
          s.touchRow.run(o.at, o.orgId, memberRowId(o.userId));
        }
        return;
      }
      case 'orgDeleted':
        s.deleteOrg.run(o.orgId);
        return;
    }
  }
  return (event: StoredEvent) => rosterOps(event).forEach(run);
}

export const rosterProjection: SqliteProjection = {
  name: 'roster',
  schema: SCHEMA,
  tables: ['roster', 'roster_search', 'roster_stats', 'roster_seen_items'],
  prepare,
};
