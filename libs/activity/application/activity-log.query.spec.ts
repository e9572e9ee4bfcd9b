// The activity log query's parameters (API.md `GET /orgs/{orgId}/activity-log`), checked before any read,
// and its list of types. What the query answers (order, fields, filters, pages, only the asked
// organization), and the refusals of an event name as type (`MemberInvited`) and of from after to, are in
// the engine-neutral suite, apps/api/read-models.conformance.ts, which runs on SQLite too.
import { ApiError } from '../../platform/http/problem';
import { ACTIVITY_LOG_TYPES } from './activity-log.projection';
import { activityLogReader, type ActivityLogReader } from './activity-log.query';
import { logFixture, type LogFixture } from './testing/fixtures';

const ORG = 'org-1';

let f: LogFixture;
let read: ActivityLogReader;
beforeAll(() => {
  f = logFixture();
  read = activityLogReader(f.db);
});
afterAll(() => f.close());

async function expectInvalid(query: Record<string, unknown>, field: string) {
  try {
    await read(ORG, query);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('validation_failed');
    expect((error as ApiError).errors?.map((e) => e.field)).toEqual([field]);
    return;
  }
  throw new Error(`${JSON.stringify(query)} was accepted`);
}

describe('the activity log query: parameters', () => {
  it.each<[Record<string, unknown>, string]>([
    [{ sort: 'name' }, 'sort'],
    [{ type: 'asset_removed' }, 'type'],
    [{ type: '' }, 'type'],
    [{ actorId: '' }, 'actorId'],
    [{ from: 'yesterday' }, 'from'],
    [{ from: '2026-01-01' }, 'from'],
    [{ to: '2026-01-01T10:00:00' }, 'to'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '201' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ cursor: 'nonsense' }, 'cursor'],
    [{ cursor: Buffer.from(JSON.stringify([1, 'x'])).toString('base64url') }, 'cursor'],
    [{ type: ['audit_run', 'asset_imported'] }, 'type'],
  ])('refuses %j → validation_failed on %s', async (query, field) => {
    await expectInvalid(query, field);
  });

  it('knows the 15 types', () => {
    expect([...ACTIVITY_LOG_TYPES].sort()).toEqual(
      [
        'org_created', 'member_invited', 'invitation_resent', 'invitation_revoked', 'invitation_expired', 'invitation_accepted',
        'invitation_declined', 'role_changed', 'ownership_transferred', 'member_removed', 'member_left', 'org_renamed',
        'asset_imported', 'asset_deployed', 'audit_run',
      ].sort(),
    );
  });
});
