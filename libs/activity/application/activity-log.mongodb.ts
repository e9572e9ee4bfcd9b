// The activity log (activity-log.projection.ts, activity-log.query.ts) on the MongoDB read store: the
// documents hold the SQLite rows' columns under the same names, but a row's `_id` is its event id and
// its `data` is a document, not JSON text.
import type { ClientSession, Db, Filter } from 'mongodb';
import type { StoredEvent } from '../../platform/event-store/event-store';
import type { MongoProjection } from '../../platform/read-store/read-store';
import { activityLogOps, type LogRow } from './activity-log.projection';
import { activityLogPage, parseActivityLogParams, type ActivityLogReader, type ActivityLogRow } from './activity-log.query';

type LogDoc = Omit<ActivityLogRow, 'id'> & { _id: string; org_id: string };
type NameDoc = { _id: { org_id: string; user_id: string }; org_id: string; user_id: string; name: string };
type InvitationEmailDoc = { _id: { org_id: string; invitation_id: string }; org_id: string; invitation_id: string; email: string };
type ItemDoc = { _id: { org_id: string; item_id: string }; org_id: string; item_id: string };

async function apply(db: Db, session: ClientSession, event: StoredEvent) {
  const log = db.collection<LogDoc>('activity_log');
  const names = db.collection<NameDoc>('activity_log_names');
  const emails = db.collection<InvitationEmailDoc>('activity_log_invitations');

  // Written once on its event id, whatever replays the event; the actor's name is the one known now,
  // else the email of the invitation the actor answers.
  const insert = async (row: LogRow, invitationId: string | null) => {
    const named = row.actorId === null ? null : await names.findOne({ _id: { org_id: row.orgId, user_id: row.actorId } }, { session });
    const invited = named || invitationId === null ? null : await emails.findOne({ _id: { org_id: row.orgId, invitation_id: invitationId } }, { session });
    await log.updateOne(
      { _id: row.id },
      {
        $setOnInsert: {
          org_id: row.orgId, position: row.position, type: row.type, actor_id: row.actorId,
          actor_name: named?.name ?? invited?.email ?? null, occurred_at: row.occurredAt,
          // As SQLite's JSON text holds it (undefined fields left out, not stored as null).
          data: JSON.parse(JSON.stringify(row.data ?? null)),
        },
      },
      { upsert: true, session },
    );
  };

  for (const op of activityLogOps(event)) {
    switch (op.op) {
      case 'addRow':
        await insert(op.row, op.nameFrom.invitationId);
        break;
      case 'addItemRow': {
        if (op.itemId !== null) {
          const item = { org_id: op.row.orgId, item_id: op.itemId };
          const seen = await db.collection<ItemDoc>('activity_log_items').updateOne({ _id: item }, { $setOnInsert: item }, { upsert: true, session });
          if (seen.upsertedCount === 0) break;
        }
        await insert(op.row, null);
        break;
      }
      case 'setName':
        await names.updateOne(
          { _id: { org_id: op.orgId, user_id: op.userId } },
          { $set: { name: op.name }, $setOnInsert: { org_id: op.orgId, user_id: op.userId } },
          { upsert: true, session },
        );
        break;
      case 'setInvitationEmail':
        await emails.updateOne(
          { _id: { org_id: op.orgId, invitation_id: op.invitationId } },
          { $setOnInsert: { org_id: op.orgId, invitation_id: op.invitationId, email: op.email } },
          { upsert: true, session },
        );
        break;
      case 'nameEarlierRows': {
        // A null invitation id matches no row in SQL (= NULL); here it would match rows without one.
        const accepted: Filter<LogDoc>[] = op.invitationId === null ? [] : [{ type: 'invitation_accepted', 'data.invitationId': op.invitationId }];
        await log.updateMany(
          { org_id: op.orgId, actor_id: op.userId, $or: [{ actor_name: null }, ...accepted] },
          { $set: { actor_name: op.name } },
          { session },
        );
        break;
      }
    }
  }
}

export const activityLogMongoProjection: MongoProjection = {
  name: 'activity-log',
  collections: ['activity_log', 'activity_log_items', 'activity_log_names', 'activity_log_invitations'],
  async createIndexes(db) {
    await db.collection('activity_log').createIndexes([
      { key: { org_id: 1, occurred_at: -1, position: -1 } },
      { key: { org_id: 1, actor_id: 1, occurred_at: -1, position: -1 } },
      { key: { org_id: 1, type: 1, occurred_at: -1, position: -1 } },
    ]);
  },
  apply,
};

export function mongoActivityLogReader(db: Db): ActivityLogReader {
  const log = db.collection<LogDoc>('activity_log');

  return async (orgId, query) => {
    const { filters, limit, after } = parseActivityLogParams(query);
    const where: Filter<LogDoc>[] = [{ org_id: orgId }];
    if (filters.actorId !== undefined) where.push({ actor_id: filters.actorId });
    if (filters.type !== undefined) where.push({ type: filters.type });
    if (filters.from !== undefined) where.push({ occurred_at: { $gte: filters.from } });
    if (filters.to !== undefined) where.push({ occurred_at: { $lte: filters.to } });
    // Keyset: rows strictly after the cursor's (occurredAt, position) in newest-first order.
    if (after) where.push({ occurred_at: { $lte: after[0] }, $or: [{ occurred_at: { $lt: after[0] } }, { position: { $lt: after[1] } }] });
    const docs = await log
      .find({ $and: where })
      .sort({ occurred_at: -1, position: -1 })
      .limit(limit + 1)
      .toArray();
    return activityLogPage(docs.map(({ _id, ...doc }) => ({ id: _id, ...doc })), limit);
  };
}
