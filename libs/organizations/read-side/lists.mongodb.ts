// GET /orgs and the invitation lists (organizations.projection.ts, invitations.projection.ts,
// lists.query.ts) on the MongoDB read store: the documents hold the SQLite rows' columns under the same
// names; a composite primary key becomes a sub-document `_id`.
import type { ClientSession, Db, Filter } from 'mongodb';
import type { StoredEvent } from '../../platform/event-store/event-store';
import type { MongoProjection } from '../../platform/read-store/read-store';
import { invitationOps } from './invitations.projection';
import {
  invitationPage, organizationPage, parseInvitationsParams, parseInvitationsToParams, parseOrganizationsParams,
  type InvitationRow, type ListQueries, type OrgRow,
} from './lists.query';
import { organizationOps } from './organizations.projection';

type OrgDoc = Omit<OrgRow, 'role'> & { _id: string };
type MembershipDoc = { _id: { user_id: string; org_id: string }; user_id: string; org_id: string; role: string };
type InvitationDoc = InvitationRow & { _id: { org_id: string; invitation_id: string } };

const membershipKey = (userId: string, orgId: string) => ({ _id: { user_id: userId, org_id: orgId } });
const invitationKey = (orgId: string, invitationId: string) => ({ _id: { org_id: orgId, invitation_id: invitationId } });

export const organizationsMongoProjection: MongoProjection = {
  name: 'organizations',
  collections: ['org_view', 'org_memberships'],
  async createIndexes(db) {
    await db.collection('org_memberships').createIndexes([{ key: { user_id: 1, org_id: 1 }, unique: true }, { key: { org_id: 1 } }]);
  },
  async apply(db: Db, session: ClientSession, event: StoredEvent) {
    const orgs = db.collection<OrgDoc>('org_view');
    const memberships = db.collection<MembershipDoc>('org_memberships');
    for (const o of organizationOps(event)) {
      switch (o.op) {
        case 'created':
          await orgs.replaceOne(
            { _id: o.orgId },
            { org_id: o.orgId, name: o.name, owner_id: o.ownerId, created_at: o.createdAt, member_count: 0 },
            { upsert: true, session },
          );
          break;
        case 'renamed':
          await orgs.updateOne({ _id: o.orgId }, { $set: { name: o.name } }, { session });
          break;
        case 'owner':
          await orgs.updateOne({ _id: o.orgId }, { $set: { owner_id: o.ownerId } }, { session });
          break;
        case 'deleted':
          await orgs.deleteOne({ _id: o.orgId }, { session });
          await memberships.deleteMany({ org_id: o.orgId }, { session });
          break;
        case 'joined':
          await memberships.replaceOne(membershipKey(o.userId, o.orgId), { user_id: o.userId, org_id: o.orgId, role: o.role }, { upsert: true, session });
          await orgs.updateOne({ _id: o.orgId }, { $inc: { member_count: 1 } }, { session });
          break;
        case 'role':
          await memberships.updateOne(membershipKey(o.userId, o.orgId), { $set: { role: o.role } }, { session });
          break;
        case 'left':
          if ((await memberships.deleteOne(membershipKey(o.userId, o.orgId), { session })).deletedCount > 0) {
            await orgs.updateOne({ _id: o.orgId }, { $inc: { member_count: -1 } }, { session });
          }
          break;
      }
    }
  },
};

export const invitationsMongoProjection: MongoProjection = {
  name: 'invitations',
  collections: ['invitation_view'],
  async createIndexes(db) {
    await db.collection('invitation_view').createIndexes([
      { key: { email: 1, status: 1, invitation_id: 1 } },
      { key: { org_id: 1, invitation_id: 1 }, unique: true },
      { key: { status: 1, expires_at: 1 } },
    ]);
  },
  async apply(db: Db, session: ClientSession, event: StoredEvent) {
    const invitations = db.collection<InvitationDoc>('invitation_view');
    for (const o of invitationOps(event)) {
      if (o.op === 'invited') {
        await invitations.replaceOne(
          invitationKey(o.orgId, o.invitationId),
          {
            org_id: o.orgId, invitation_id: o.invitationId, email: o.email, role: o.role, status: 'pending',
            invited_by: o.invitedBy, invited_at: o.invitedAt, expires_at: o.expiresAt,
          },
          { upsert: true, session },
        );
      } else if (o.op === 'status') {
        const expiresAt = o.expiresAt ?? null; // COALESCE(?, expires_at): no new expiry keeps the old one
        const $set = expiresAt === null ? { status: o.status } : { status: o.status, expires_at: expiresAt };
        await invitations.updateOne(invitationKey(o.orgId, o.invitationId), { $set }, { session });
      } else {
        await invitations.deleteMany({ org_id: o.orgId }, { session });
      }
    }
  },
};

/** The recorded status, corrected by time: a pending invitation past due is expired. */
function statusFilter(status: string, now: string): Filter<InvitationDoc> {
  if (status === 'pending') return { status: 'pending', expires_at: { $gt: now } };
  if (status === 'expired') return { $or: [{ status: 'expired' }, { status: 'pending', expires_at: { $lte: now } }] };
  return { status };
}

export function mongoListQueries(db: Db): ListQueries {
  const orgs = db.collection<OrgDoc>('org_view');
  const memberships = db.collection<MembershipDoc>('org_memberships');
  const invitations = db.collection<InvitationDoc>('invitation_view');

  return {
    async myOrganizations(userId, query) {
      const p = parseOrganizationsParams(query);
      const mine = await memberships
        .find({ user_id: userId, org_id: { $gt: p.after } })
        .sort({ org_id: 1 })
        .limit(p.limit + 1)
        .toArray();
      const byId = new Map((await orgs.find({ _id: { $in: mine.map((m) => m.org_id) } }).toArray()).map((o) => [o._id, o]));
      // A join that keeps the memberships' order; one without its organization is left out, as by SQL's inner join.
      const rows = mine.flatMap((m) => {
        const org = byId.get(m.org_id);
        return org ? [{ ...org, role: m.role }] : [];
      });
      return organizationPage(rows, p.limit);
    },

    async invitations(orgId, query, now) {
      const p = parseInvitationsParams(query);
      const where: Filter<InvitationDoc>[] = [{ org_id: orgId, invitation_id: { $gt: p.after } }];
      if (p.status !== undefined) where.push(statusFilter(p.status, now.toISOString()));
      const rows = await invitations
        .find({ $and: where })
        .sort({ invitation_id: 1 })
        .limit(p.limit + 1)
        .toArray();
      return invitationPage(rows, p.limit, now);
    },

    async invitationsTo(email, query, now) {
      const p = parseInvitationsToParams(query);
      const rows = await invitations
        .find({ email, status: 'pending', expires_at: { $gt: now.toISOString() }, invitation_id: { $gt: p.after } })
        .sort({ invitation_id: 1 })
        .limit(p.limit + 1)
        .toArray();
      return invitationPage(rows, p.limit, now);
    },

    async dueInvitations(now, limit) {
      const due = await invitations
        .find({ status: 'pending', expires_at: { $lte: now.toISOString() } }, { projection: { org_id: 1, invitation_id: 1 } })
        .sort({ expires_at: 1 })
        .limit(limit)
        .toArray();
      return due.map((r) => ({ orgId: r.org_id, invitationId: r.invitation_id }));
    },
  };
}
