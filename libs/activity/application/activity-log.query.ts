// Reads the activity log (API.md `GET /orgs/{orgId}/activity-log`): newest first by (occurredAt,
// position), filtered by actorId, type and an inclusive from/to range on occurredAt, keyset-paginated.
// Authorization is not decided here: the controller checks `activity-log:view` on the write-side state.
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type Database from 'better-sqlite3';
import { decodeCursor, invalid, parseLimit, requireKnownParams, toPage, type Page } from '../../platform/http/pagination';
import { parseInstant } from '../domain/instant';
import { isActorId } from '../domain/record-activity';
import { ACTIVITY_LOG_TYPES, isActivityLogType, type ActivityLogType } from './activity-log.projection';

export type ActivityLogItem = {
  id: string;
  type: ActivityLogType;
  actorId: string | null;
  /** The actor's name when it happened; null only for the system's own events (no actor). */
  actorName: string | null;
  occurredAt: string;
  data: unknown;
};

export const ACTIVITY_LOG_PARAMS = ['actorId', 'type', 'from', 'to', 'limit', 'cursor'];

type Filters = { actorId?: string; type?: ActivityLogType; from?: string; to?: string };
/** A log row as both engines store it (in MongoDB `data` is a document, not JSON text). */
export type ActivityLogRow = { id: string; position: number; type: ActivityLogType; actor_id: string | null; actor_name: string | null; occurred_at: string; data: string | object };

/** The query string of the list, checked: unknown parameters, bad values and from > to → 400 validation_failed. */
export function parseActivityLogParams(query: Record<string, unknown>) {
  requireKnownParams(query, ACTIVITY_LOG_PARAMS);
  for (const [name, value] of Object.entries(query)) {
    if (typeof value !== 'string') throw invalid(name, 'must be given once');
  }
  const filters: Filters = {};
  const { actorId, type, from, to } = query as Record<string, string | undefined>;
  if (actorId !== undefined) {
    if (!isActorId(actorId)) throw invalid('actorId', 'must be a user id of 1 to 255 characters');
    filters.actorId = actorId;
  }
  if (type !== undefined) {
    if (!isActivityLogType(type)) throw invalid('type', `must be one of ${ACTIVITY_LOG_TYPES.join(', ')}`);
    filters.type = type;
  }
  for (const [name, raw] of [['from', from], ['to', to]] as const) {
    if (raw === undefined) continue;
    const instant = parseInstant(raw);
    if (instant === null) throw invalid(name, 'must be an ISO 8601 date-time with a time zone');
    filters[name] = instant;
  }
  if (filters.from !== undefined && filters.to !== undefined && filters.from > filters.to) {
    throw invalid('from', 'must not be after to');
  }
  const limit = parseLimit(query.limit);
  const after = decodeCursor(query.cursor, ['string', 'number']) as [string, number] | null;
  return { filters, limit, after };
}

export const ACTIVITY_LOG_READER = Symbol('ActivityLogReader');
export type ActivityLogReader = (orgId: string, query: Record<string, unknown>) => Promise<Page<ActivityLogItem>>;

export function activityLogReader(db: Database.Database): ActivityLogReader {
  const statements = new Map<string, Database.Statement<Record<string, unknown>, ActivityLogRow>>();
  const statement = (sql: string) => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, (s = db.prepare<Record<string, unknown>, ActivityLogRow>(sql)));
    return s;
  };

  return async (orgId, query) => {
    const { filters, limit, after } = parseActivityLogParams(query);
    const where = ['org_id = @orgId'];
    if (filters.actorId !== undefined) where.push('actor_id = @actorId');
    if (filters.type !== undefined) where.push('type = @type');
    if (filters.from !== undefined) where.push('occurred_at >= @from');
    if (filters.to !== undefined) where.push('occurred_at <= @to');
    // Keyset: rows strictly after the cursor's (occurredAt, position) in newest-first order.
    if (after) where.push('occurred_at <= @afterAt AND (occurred_at < @afterAt OR position < @afterPosition)');
    const sql = `SELECT id, position, type, actor_id, actor_name, occurred_at, data FROM activity_log
                 WHERE ${where.join(' AND ')} ORDER BY occurred_at DESC, position DESC LIMIT @take`;
    const rows = statement(sql).all({
      orgId,
      ...filters,
      ...(after ? { afterAt: after[0], afterPosition: after[1] } : {}),
      take: limit + 1,
    });
    return activityLogPage(rows, limit);
  };
}

export const activityLogPage = (rows: ActivityLogRow[], limit: number) =>
  toPage(rows, limit, view, (row) => [row.occurred_at, row.position]);

function view(row: ActivityLogRow): ActivityLogItem {
  return {
    id: row.id,
    type: row.type,
    actorId: row.actor_id,
    // A name is always recorded for a member's or an invitee's action; the id stands in should one be missing.
    actorName: row.actor_name ?? row.actor_id,
    occurredAt: row.occurred_at,
    data: typeof row.data === 'string' ? JSON.parse(row.data) : row.data,
  };
}

export class GetActivityLog extends Query<Page<ActivityLogItem>> {
  constructor(
    readonly orgId: string,
    readonly query: Record<string, unknown>,
  ) {
    super();
  }
}

@QueryHandler(GetActivityLog)
export class GetActivityLogHandler implements IQueryHandler<GetActivityLog> {
  constructor(@Inject(ACTIVITY_LOG_READER) private readonly read: ActivityLogReader) {}

  async execute({ orgId, query }: GetActivityLog): Promise<Page<ActivityLogItem>> {
    return this.read(orgId, query);
  }
}
