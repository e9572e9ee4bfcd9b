// The read models on the MongoDB read store (MONGODB_URL).
import type { Db } from 'mongodb';
import { activityLogMongoProjection, mongoActivityLogReader } from '../../libs/activity/application/activity-log.mongodb';
import { invitationsMongoProjection, mongoListQueries, organizationsMongoProjection } from '../../libs/organizations/read-side/lists.mongodb';
import { mongoRosterQueries, rosterMongoProjection } from '../../libs/organizations/read-side/roster.mongodb';
import type { MongoProjection } from '../../libs/platform/read-store/read-store';
import type { ReadModelQueries } from './read-models';

export const MONGODB_PROJECTIONS: MongoProjection[] = [
  organizationsMongoProjection,
  rosterMongoProjection,
  invitationsMongoProjection,
  activityLogMongoProjection,
];

export const mongoReadModelQueries = (db: Db): ReadModelQueries => ({
  roster: mongoRosterQueries(db),
  lists: mongoListQueries(db),
  activityLog: mongoActivityLogReader(db),
});
