// Every read model of the service, by name (as `npm run projections:rebuild [name]` knows them).
import { invitationsProjection } from '../../libs/organizations/read-side/invitations.projection';
import { organizationsProjection } from '../../libs/organizations/read-side/organizations.projection';
import { rosterProjection } from '../../libs/organizations/read-side/roster.projection';
import type { SqliteProjection } from '../../libs/platform/projections/projection';
import { activityLogProjection } from '../../libs/activity/application/activity-log.projection';

export const PROJECTIONS: SqliteProjection[] = [organizationsProjection, rosterProjection, invitationsProjection, activityLogProjection];
