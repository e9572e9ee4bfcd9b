import { startTestApp, type TestApp } from './support/test-app';
import { invitationToken } from './support/outbox';

let t: TestApp;
beforeAll(async () => { t = await startTestApp(); });
afterAll(() => t.close());

it('invites and accepts', async () => {
  const alice = await t.token('alice', { name: 'Alice' });
  const org = await t.request('POST', '/orgs', { token: alice, body: { name: 'Acme' } });
  expect(org.status).toBe(201);
  const inv = await t.request('POST', `/orgs/${org.body.id}/invitations`, { token: alice, body: { email: 'Bob@Example.com', role: 'admin' } });
  expect(inv.status).toBe(201);
  const link = await invitationToken(t.dataDir, 'bob@example.com');
  const preview = await t.request('GET', `/invitations/${link}`);
  expect(preview.body).toMatchObject({ orgName: 'Acme', email: 'bob@example.com', status: 'pending', invitedBy: { name: 'Alice' } });
  const bob = await t.token('bob');
  const accepted = await t.request('POST', `/invitations/${link}/accept`, { token: bob });
  expect(accepted.status).toBe(200);
  expect(accepted.body).toEqual({ orgId: org.body.id, userId: 'bob', role: 'admin' });
  const again = await t.request('POST', `/invitations/${link}/accept`, { token: bob });
  expect(again.body.code).toBe('invitation_used');
});
