// GET /orgs: the organizations each user is an active member of, with their role and member count.
import type Database from 'better-sqlite3';
import type { StoredEvent } from '../../platform/event-store/event-store';
import type { SqliteProjection } from '../../platform/read-store/read-store';
import type { OrganizationEvent } from '../domain/events';
import type { Role } from '../domain/permissions';
import { isOrganizationEvent, orgIdOf } from './event-source';

export type OrganizationOp =
  | { op: 'created'; orgId: string; name: string; ownerId: string; createdAt: string }
  | { op: 'renamed'; orgId: string; name: string }
  | { op: 'deleted'; orgId: string }
  | { op: 'owner'; orgId: string; ownerId: string }
  | { op: 'joined'; orgId: string; userId: string; role: Role }
  | { op: 'role'; orgId: string; userId: string; role: Role }
  | { op: 'left'; orgId: string; userId: string };

/** Pure: what one event changes in the organizations list. */
export function organizationOps(event: StoredEvent): OrganizationOp[] {
  const orgId = orgIdOf(event);
  if (!orgId || !isOrganizationEvent(event)) return [];
  const e = event as unknown as OrganizationEvent;
  switch (e.type) {
    case 'OrganizationCreated':
      return [{ op: 'created', orgId, name: e.data.name, ownerId: e.data.createdBy, createdAt: event.metadata.occurredAt }];
    case 'OrganizationRenamed':
      return [{ op: 'renamed', orgId, name: e.data.name }];
    case 'OrganizationDeleted':
      return [{ op: 'deleted', orgId }];
    case 'MemberJoined':
      return [{ op: 'joined', orgId, userId: e.data.userId, role: e.data.role }];
    case 'RoleChanged':
      return [{ op: 'role', orgId, userId: e.data.userId, role: e.data.to }];
    case 'OwnershipTransferred':
      return [
        { op: 'owner', orgId, ownerId: e.data.newOwnerId },
        { op: 'role', orgId, userId: e.data.previousOwnerId, role: 'admin' },
        { op: 'role', orgId, userId: e.data.newOwnerId, role: 'owner' },
      ];
    case 'MemberRemoved':
    case 'MemberLeft':
      return [{ op: 'left', orgId, userId: e.data.userId }];
    default:
      return [];
  }
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS org_view (
    org_id TEXT PRIMARY KEY, name TEXT NOT NULL, owner_id TEXT NOT NULL, created_at TEXT NOT NULL,
    member_count INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS org_memberships (
    user_id TEXT NOT NULL, org_id TEXT NOT NULL, role TEXT NOT NULL, PRIMARY KEY (user_id, org_id)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS org_memberships_by_org ON org_memberships (org_id);
`;

function prepare(db: Database.Database) {
  const s = {
    created: db.prepare('INSERT OR REPLACE INTO org_view (org_id, name, owner_id, created_at) VALUES (?, ?, ?, ?)'),
    renamed: db.prepare('UPDATE org_view SET name = ? WHERE org_id = ?'),
    owner: db.prepare('UPDATE org_view SET owner_id = ? WHERE org_id = ?'),
    deleteOrg: db.prepare('DELETE FROM org_view WHERE org_id = ?'),
    deleteMemberships: db.prepare('DELETE FROM org_memberships WHERE org_id = ?'),
    join: db.prepare('INSERT OR REPLACE INTO org_memberships (user_id, org_id, role) VALUES (?, ?, ?)'),
    role: db.prepare('UPDATE org_memberships SET role = ? WHERE user_id = ? AND org_id = ?'),
    leave: db.prepare('DELETE FROM org_memberships WHERE user_id = ? AND org_id = ?'),
    count: db.prepare('UPDATE org_view SET member_count = member_count + ? WHERE org_id = ?'),
  };
  function run(o: OrganizationOp) {
    switch (o.op) {
      case 'created':
        return void s.created.run(o.orgId, o.name, o.ownerId, o.createdAt);
      case 'renamed':
        return void s.renamed.run(o.name, o.orgId);
      case 'owner':
        return void s.owner.run(o.ownerId, o.orgId);
      case 'deleted':
        s.deleteOrg.run(o.orgId);
        return void s.deleteMemberships.run(o.orgId);
      case 'joined':
        s.join.run(o.userId, o.orgId, o.role);
        return void s.count.run(1, o.orgId);
      case 'role':
        return void s.role.run(o.role, o.userId, o.orgId);
      case 'left':
        if (s.leave.run(o.userId, o.orgId).changes > 0) s.count.run(-1, o.orgId);
        return;
    }
  }
  return (event: StoredEvent) => organizationOps(event).forEach(run);
}

export const organizationsProjection: SqliteProjection = {
  name: 'organizations',
  schema: SCHEMA,
  tables: ['org_view', 'org_memberships'],
  prepare,
};
