// The roster (roster.projection.ts, roster.query.ts) on the MongoDB read store: the documents hold the
// SQLite rows' columns under the same names; a composite primary key becomes a sub-document `_id`.
import type { ClientSession, Db, Filter } from 'mongodb';
import type { ActivityCounter } from '../../activity/domain/events';
import type { StoredEvent } from '../../platform/event-store/event-store';
import type { MongoProjection } from '../../platform/read-store/read-store';
import { invitationRowId, memberRowId, ROSTER_SORT_COLUMNS, rosterOps, type RosterOp } from './roster.projection';
import { parseRosterParams, rosterMemberView, rosterPage, type RosterQueries, type RosterRow } from './roster.query';

type RosterDoc = Omit<RosterRow, 'sort_key'> & { _id: { org_id: string; row_id: string }; org_id: string; name_key: string };
type StatsDoc = {
  _id: { org_id: string; user_id: string };
  org_id: string; user_id: string; last_active_key: string; imports: number; deployments: number; audits: number;
};
type SeenItemDoc = { _id: { org_id: string; item_id: string }; org_id: string; item_id: string };

const rowKey = (orgId: string, rowId: string) => ({ _id: { org_id: orgId, row_id: rowId } });
const statsKey = (orgId: string, userId: string) => ({ _id: { org_id: orgId, user_id: userId } });
const COUNTERS: ActivityCounter[] = ['imports', 'deployments', 'audits'];

/** A new stats document's zero counters, but the one `$inc` sets (an upsert may not set a field twice). */
const zeroCountersBut = (counter?: ActivityCounter) => Object.fromEntries(COUNTERS.filter((c) => c !== counter).map((c) => [c, 0]));

async function run(db: Db, session: ClientSession, o: RosterOp) {
  const roster = db.collection<RosterDoc>('roster');
  const stats = db.collection<StatsDoc>('roster_stats');
  switch (o.op) {
    case 'joined': {
      // The member's counts and lastActiveAt survive a removal: a rejoining member gets them back.
      const s = (await stats.findOneAndUpdate(
        statsKey(o.orgId, o.userId),
        { $setOnInsert: { org_id: o.orgId, user_id: o.userId, last_active_key: '', ...zeroCountersBut() } },
        { upsert: true, returnDocument: 'after', session },
      ))!;
      const rowId = memberRowId(o.userId);
      await roster.replaceOne(
        rowKey(o.orgId, rowId),
        {
          org_id: o.orgId, row_id: rowId, kind: 'member', user_id: o.userId, invitation_id: null, name: o.name,
          name_key: o.name.normalize('NFC').toLowerCase(), email: o.email, role: o.role, status: 'active', joined_at: o.joinedAt,
          last_active_key: s.last_active_key, imports: s.imports, deployments: s.deployments, audits: s.audits,
          invited_at: null, invited_by: null, expires_at: null,
        },
        { upsert: true, session },
      );
      return;
    }
    case 'role':
      await roster.updateOne(rowKey(o.orgId, memberRowId(o.userId)), { $set: { role: o.role } }, { session });
      return;
    case 'left':
      await roster.deleteOne(rowKey(o.orgId, memberRowId(o.userId)), { session });
      return;
    case 'invited': {
      // An earlier (expired) invitation of this email leaves the roster: the new one takes its place.
      await roster.deleteMany({ org_id: o.orgId, kind: 'invitation', email: o.email }, { session });
      const rowId = invitationRowId(o.invitationId);
      await roster.replaceOne(
        rowKey(o.orgId, rowId),
        {
          org_id: o.orgId, row_id: rowId, kind: 'invitation', user_id: null, invitation_id: o.invitationId, name: null,
          name_key: o.email, email: o.email, role: o.role, status: 'invited', joined_at: null,
          last_active_key: '', imports: 0, deployments: 0, audits: 0,
          invited_at: o.invitedAt, invited_by: o.invitedBy, expires_at: o.expiresAt,
        },
        { upsert: true, session },
      );
      return;
    }
    case 'invitation': {
      const expiresAt = o.expiresAt ?? null; // COALESCE(?, expires_at): no new expiry keeps the old one
      const $set = expiresAt === null ? { status: o.status } : { status: o.status, expires_at: expiresAt };
      await roster.updateOne(rowKey(o.orgId, invitationRowId(o.invitationId)), { $set }, { session });
      return;
    }
    case 'invitationClosed':
      await roster.deleteOne(rowKey(o.orgId, invitationRowId(o.invitationId)), { session });
      return;
    case 'active': {
      // An item id seen before in this organization is counted once.
      if (o.counter && o.itemId) {
        const seen = await db
          .collection<SeenItemDoc>('roster_seen_items')
          .updateOne({ _id: { org_id: o.orgId, item_id: o.itemId } }, { $setOnInsert: { org_id: o.orgId, item_id: o.itemId } }, { upsert: true, session });
        if (seen.upsertedCount === 0) return;
      }
      const bump = o.counter ? { $inc: { [o.counter]: 1 } } : {};
      await stats.updateOne(
        statsKey(o.orgId, o.userId),
        { $setOnInsert: { org_id: o.orgId, user_id: o.userId, ...zeroCountersBut(o.counter) }, $max: { last_active_key: o.at }, ...bump },
        { upsert: true, session },
      );
      // No upsert: someone who is not a member has no row.
      await roster.updateOne(rowKey(o.orgId, memberRowId(o.userId)), { $max: { last_active_key: o.at }, ...bump }, { session });
      return;
    }
    case 'orgDeleted':
      await roster.deleteMany({ org_id: o.orgId }, { session });
      return;
  }
}

export const rosterMongoProjection: MongoProjection = {
  name: 'roster',
  collections: ['roster', 'roster_stats', 'roster_seen_items'],
  async createIndexes(db) {
    await db.collection('roster').createIndexes([
      ...Object.values(ROSTER_SORT_COLUMNS).map((c) => ({ key: { org_id: 1, [c]: 1, row_id: 1 } })),
      { key: { org_id: 1, kind: 1, email: 1 } },
    ]);
  },
  async apply(db: Db, session: ClientSession, event: StoredEvent) {
    for (const op of rosterOps(event)) await run(db, session, op);
  },
};

/** `q` matched as a substring (as SQLite's instr), not as a pattern. */
const literal = (text: string) =>
  // The server refuses a pattern holding a NUL character; \x00 matches one.
  text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\0/g, '\\x00');

export function mongoRosterQueries(db: Db): RosterQueries {
  const roster = db.collection<RosterDoc>('roster');

  return {
    async member(orgId, userId) {
      const row = await roster.findOne(rowKey(orgId, memberRowId(userId)));
      return rosterMemberView(row && { ...row, sort_key: 0 });
    },

    async list(orgId, query, now) {
      const p = parseRosterParams(query);
      const nowIso = now.toISOString();
      const where: Filter<RosterDoc>[] = [{ org_id: orgId }];
      if (p.status === 'active') where.push({ kind: 'member' });
      else if (p.status === 'invited') where.push({ kind: 'invitation', status: 'invited', expires_at: { $gt: nowIso } });
      else if (p.status === 'expired') where.push({ kind: 'invitation', $or: [{ status: 'expired' }, { expires_at: { $lte: nowIso } }] });
      if (p.role !== undefined) where.push({ role: p.role });
      if (p.q !== undefined) {
        const contains = { $regex: literal(p.q) };
        where.push({ $or: [{ name_key: contains }, { email: contains }] });
      }
      if (p.after) {
        // (column, row_id) > (after, afterRow), written as column >= after AND (column > after OR
        // row_id > afterRow): the same rows, and the first bound narrows the index scan.
        const [after, afterRow] = p.after;
        const [from, beyond] = p.descending ? ['$lte', '$lt'] : ['$gte', '$gt'];
        where.push({ [p.column]: { [from]: after }, $or: [{ [p.column]: { [beyond]: after } }, { row_id: { [beyond]: afterRow } }] });
      }
      const direction = p.descending ? -1 : 1;
      const rows = await roster
        .find({ $and: where })
        .sort({ [p.column]: direction, row_id: direction })
        .limit(p.limit + 1)
        .toArray();
      return rosterPage(rows.map((r) => ({ ...r, sort_key: r[p.column] })), p, now);
    },
  };
}
