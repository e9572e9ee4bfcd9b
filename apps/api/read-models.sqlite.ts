// The read models on the embedded SQLite read store.
import type Database from 'better-sqlite3';
import { activityLogProjection } from '../../libs/activity/application/activity-log.projection';
import { activityLogReader } from '../../libs/activity/application/activity-log.query';
import { invitationsProjection } from '../../libs/organizations/read-side/invitations.projection';
import { listQueries } from '../../libs/organizations/read-side/lists.query';
import { organizationsProjection } from '../../libs/organizations/read-side/organizations.projection';
import { rosterProjection } from '../../libs/organizations/read-side/roster.projection';
import { rosterQueries } from '../../libs/organizations/read-side/roster.query';
import type { SqliteProjection } from '../../libs/platform/read-store/read-store';
import type { ReadModelQueries } from './read-models';

export const SQLITE_PROJECTIONS: SqliteProjection[] = [organizationsProjection, rosterProjection, invitationsProjection, activityLogProjection];

export const sqliteReadModelQueries = (db: Database.Database): ReadModelQueries => ({
  roster: rosterQueries(db),
  lists: listQueries(db),
  activityLog: activityLogReader(db),
});
