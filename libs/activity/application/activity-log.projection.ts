// The activity log of API.md (`GET /orgs/{orgId}/activity-log`): one row per team change of an
// organization's stream and per activity item of its activity stream, with the actor's name as it
// was at that moment.
//
// `activityLogOps` is pure (event -> operations); `prepare` carries the operations out on SQLite, inside
// the runner's transaction that also stores the checkpoint. Everything a row depends on (the names of
// members, the invitation emails, the item ids seen) is a table of this projection, so dropping its
// tables and replaying the events rebuilds exactly the same log.
import type Database from 'better-sqlite3';
import type { StoredEvent } from '../../platform/event-store/event-store';
import type { SqliteProjection } from '../../platform/read-store/read-store';
import type { OrganizationEvent, OrganizationEventType } from '../../organizations/domain/events';
import { ACTIVITY_TYPES, activityOf, type ActivityData, type ActivityType } from '../domain/events';

/** The log type of each team event; MemberJoined and OrganizationDeleted make no row. */
export const TEAM_LOG_TYPES = {
  OrganizationCreated: 'org_created',
  MemberInvited: 'member_invited',
  InvitationResent: 'invitation_resent',
  InvitationRevoked: 'invitation_revoked',
  InvitationExpired: 'invitation_expired',
  InvitationAccepted: 'invitation_accepted',
  InvitationDeclined: 'invitation_declined',
  RoleChanged: 'role_changed',
  OwnershipTransferred: 'ownership_transferred',
  MemberRemoved: 'member_removed',
  MemberLeft: 'member_left',
  OrganizationRenamed: 'org_renamed',
} as const satisfies Partial<Record<OrganizationEventType, string>>;

export type TeamLogType = (typeof TEAM_LOG_TYPES)[keyof typeof TEAM_LOG_TYPES];
export type ActivityLogType = TeamLogType | ActivityType;
/** The 15 types of the log, in API.md's order. */
export const ACTIVITY_LOG_TYPES: readonly ActivityLogType[] = [...Object.values(TEAM_LOG_TYPES), ...(Object.keys(ACTIVITY_TYPES) as ActivityType[])];
export const isActivityLogType = (value: unknown): value is ActivityLogType =>
  typeof value === 'string' && (ACTIVITY_LOG_TYPES as readonly string[]).includes(value);

const ORGANIZATION_PREFIX = 'organization-';
const ACTIVITY_PREFIX = 'activity-';

export type LogRow = {
  /** The event's metadata.eventId. */
  id: string;
  orgId: string;
  /** The event's global position: the stable tie-breaker of rows with the same occurredAt. */
  position: number;
  type: ActivityLogType;
  actorId: string | null;
  occurredAt: string;
  data: unknown;
};

/** Where a row's actorName comes from, read when the row is written (so it is the name of that moment). */
export type NameSource = { invitationId: string | null };

export type Op =
  /** Appends a row; its actorName is the actor's known name, else the email of `nameFrom.invitationId`. */
  | { op: 'addRow'; row: LogRow; nameFrom: NameSource }
  /** Appends an activity row, unless the item id was seen before in the organization. */
  | { op: 'addItemRow'; row: LogRow; itemId: string | null }
  | { op: 'setName'; orgId: string; userId: string; name: string }
  | { op: 'setInvitationEmail'; orgId: string; invitationId: string; email: string }
  /** Names the rows recorded before the member's name was known: what they did before joining
   * (creating the organization, accepting the invitation they join by). */
  | { op: 'nameEarlierRows'; orgId: string; userId: string; name: string; invitationId: string | null };

/** Pure: the operations one stored event makes on the log. */
export function activityLogOps(event: StoredEvent): Op[] {
  if (event.streamId.startsWith(ORGANIZATION_PREFIX)) return teamOps(event, event.streamId.slice(ORGANIZATION_PREFIX.length));
  if (event.streamId.startsWith(ACTIVITY_PREFIX)) return activityOps(event, event.streamId.slice(ACTIVITY_PREFIX.length));
  return [];
}

function teamOps(stored: StoredEvent, orgId: string): Op[] {
  const event = stored as unknown as OrganizationEvent & StoredEvent;
  const ops: Op[] = [];
  if (event.type === 'MemberInvited') {
    ops.push({ op: 'setInvitationEmail', orgId, invitationId: event.data.invitationId, email: event.data.email });
  }
  if (event.type === 'MemberJoined') {
    const { userId, name, email, invitationId } = event.data;
    ops.push({ op: 'setName', orgId, userId, name: name ?? email }, { op: 'nameEarlierRows', orgId, userId, name: name ?? email, invitationId });
  }
  const type = TEAM_LOG_TYPES[event.type as keyof typeof TEAM_LOG_TYPES];
  if (type) {
    // Who answered an invitation is named by the invitation's email until their name is known.
    const invitationId = event.type === 'InvitationAccepted' || event.type === 'InvitationDeclined' ? event.data.invitationId : null;
    const row = { id: event.metadata.eventId, orgId, position: event.position, type, actorId: event.metadata.actorId, occurredAt: event.metadata.occurredAt, data: event.data };
    ops.push({ op: 'addRow', row, nameFrom: { invitationId } });
  }
  return ops;
}

function activityOps(event: StoredEvent, orgId: string): Op[] {
  const activity = activityOf(event.type);
  if (!activity) return [];
  const { itemId, actorId, occurredAt, subject } = event.data as ActivityData;
  const row = { id: event.metadata.eventId, orgId, position: event.position, type: activity.type, actorId, occurredAt, data: { itemId, subject } };
  return [{ op: 'addItemRow', row, itemId }];
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS activity_log (
    id          TEXT    PRIMARY KEY,
    org_id      TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    actor_id    TEXT,
    actor_name  TEXT,
    occurred_at TEXT    NOT NULL,
    data        TEXT    NOT NULL
  );
  CREATE INDEX IF NOT EXISTS activity_log_by_org ON activity_log (org_id, occurred_at DESC, position DESC);
  CREATE INDEX IF NOT EXISTS activity_log_by_actor ON activity_log (org_id, actor_id, occurred_at DESC, position DESC);
  CREATE INDEX IF NOT EXISTS activity_log_by_type ON activity_log (org_id, type, occurred_at DESC, position DESC);
  CREATE TABLE IF NOT EXISTS activity_log_items (
    org_id  TEXT NOT NULL,
    item_id TEXT NOT NULL,
    PRIMARY KEY (org_id, item_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS activity_log_names (
    org_id  TEXT NOT NULL,
    user_id TEXT NOT NULL,
    name    TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS activity_log_invitations (
    org_id        TEXT NOT NULL,
    invitation_id TEXT NOT NULL,
    email         TEXT NOT NULL,
    PRIMARY KEY (org_id, invitation_id)
  ) WITHOUT ROWID;
`;

export const activityLogProjection: SqliteProjection = {
  name: 'activity-log',
  schema: SCHEMA,
  tables: ['activity_log', 'activity_log_items', 'activity_log_names', 'activity_log_invitations'],
  prepare(db: Database.Database) {
    // INSERT OR IGNORE on the event id: a row is written once, whatever replays the event.
    const addRow = db.prepare(
      `INSERT OR IGNORE INTO activity_log (id, org_id, position, type, actor_id, actor_name, occurred_at, data)
       VALUES (@id, @orgId, @position, @type, @actorId,
               COALESCE((SELECT name FROM activity_log_names WHERE org_id = @orgId AND user_id = @actorId),
                        (SELECT email FROM activity_log_invitations WHERE org_id = @orgId AND invitation_id = @invitationId)),
               @occurredAt, @data)`,
    );
    const seeItem = db.prepare('INSERT OR IGNORE INTO activity_log_items (org_id, item_id) VALUES (?, ?)');
    const setName = db.prepare(
      'INSERT INTO activity_log_names (org_id, user_id, name) VALUES (?, ?, ?) ON CONFLICT (org_id, user_id) DO UPDATE SET name = excluded.name',
    );
    const setInvitationEmail = db.prepare('INSERT OR IGNORE INTO activity_log_invitations (org_id, invitation_id, email) VALUES (?, ?, ?)');
    const nameEarlierRows = db.prepare(
      `UPDATE activity_log SET actor_name = @name
       WHERE org_id = @orgId AND actor_id = @userId
         AND (actor_name IS NULL OR (type = 'invitation_accepted' AND json_extract(data, '$.invitationId') = @invitationId))`,
    );
    const insert = (row: LogRow, invitationId: string | null) =>
      addRow.run({ ...row, data: JSON.stringify(row.data ?? null), invitationId });

    return (event: StoredEvent) => {
      for (const op of activityLogOps(event)) {
        switch (op.op) {
          case 'addRow':
            insert(op.row, op.nameFrom.invitationId);
            break;
          case 'addItemRow':
            if (op.itemId === null || seeItem.run(op.row.orgId, op.itemId).changes > 0) insert(op.row, null);
            break;
          case 'setName':
            setName.run(op.orgId, op.userId, op.name);
            break;
          case 'setInvitationEmail':
            setInvitationEmail.run(op.orgId, op.invitationId, op.email);
            break;
          case 'nameEarlierRows':
            nameEarlierRows.run({ orgId: op.orgId, userId: op.userId, name: op.name, invitationId: op.invitationId });
            break;
        }
      }
    };
  },
};
