import { startTestApp, type TestApp } from './support/test-app';
import {
  ISO_UTC,
  PERMISSIONS,
  createOrg,
  emailOf,
  expectProblem,
  expectValidation,
  invite,
  inviteAndAccept,
  linkFor,
  team,
  uniq,
} from './support/team';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const patchRole = (orgId: string, userId: string, token: string, body: unknown) =>
  t.request('PATCH', `/orgs/${orgId}/members/${userId}`, { token, body });
const remove = (orgId: string, userId: string, token: string) => t.request('DELETE', `/orgs/${orgId}/members/${userId}`, { token });
const leave = (orgId: string, token: string) => t.request('POST', `/orgs/${orgId}/leave`, { token });
const transfer = (orgId: string, token: string, newOwnerId: unknown) =>
  t.request('POST', `/orgs/${orgId}/ownership-transfer`, { token, body: { newOwnerId } });
const getOrg = (orgId: string, token: string) => t.request('GET', `/orgs/${orgId}`, { token });
const permissions = (orgId: string, token: string) => t.request('GET', `/orgs/${orgId}/permissions`, { token });
const sorted = (xs: readonly string[]) => [...xs].sort();

async function expectRole(orgId: string, token: string, role: 'owner' | 'admin' | 'member') {
  const res = await permissions(orgId, token);
  expect(res.status).toBe(200);
  expect(res.body.role).toBe(role);
  expect(sorted(res.body.permissions)).toEqual(sorted(PERMISSIONS[role]));
}

describe('PATCH /orgs/:orgId/members/:userId (change role)', () => {
  it('demotes an admin to member and back, effective at once', async () => {
    const { orgId, ownerToken, admins } = await team(t, { admins: 1 });
    const [admin] = admins;
    expect((await invite(t, orgId, admin.token, emailOf(uniq('x')), 'member')).status).toBe(201);

    const down = await patchRole(orgId, admin.sub, ownerToken, { role: 'member' });
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ kind: 'member', userId: admin.sub, role: 'member', status: 'active', email: emailOf(admin.sub) });
    expect(down.headers.get('x-position')).toBeTruthy();
    await expectRole(orgId, admin.token, 'member');
    expectProblem(await invite(t, orgId, admin.token, emailOf(uniq('x')), 'member'), 403, 'forbidden');
    expectProblem(await t.request('PATCH', `/orgs/${orgId}`, { token: admin.token, body: { name: 'Nope' } }), 403, 'forbidden');

    const up = await patchRole(orgId, admin.sub, ownerToken, { role: 'admin' });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ kind: 'member', userId: admin.sub, role: 'admin', status: 'active', email: emailOf(admin.sub) });
    expect(up.headers.get('x-position')).toBeTruthy();
    await expectRole(orgId, admin.token, 'admin');
    expect((await invite(t, orgId, admin.token, emailOf(uniq('x')), 'member')).status).toBe(201);
  });

  it('an admin may change roles too (roles:change)', async () => {
    const { orgId, admins, members } = await team(t, { admins: 1, members: 1 });
    const res = await patchRole(orgId, members[0].sub, admins[0].token, { role: 'admin' });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('admin');
    await expectRole(orgId, members[0].token, 'admin');
  });

  it('setting the role a member already has answers 200 and records nothing (X-Position does not move)', async () => {
    const { orgId, ownerToken, admins, members } = await team(t, { admins: 1, members: 1 });
    const same = await patchRole(orgId, members[0].sub, ownerToken, { role: 'member' });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ kind: 'member', userId: members[0].sub, role: 'member', status: 'active', email: emailOf(members[0].sub) });
    const before = Number(same.headers.get('x-position'));
    expect(before).toBeGreaterThan(0);
    const sameAdmin = await patchRole(orgId, admins[0].sub, ownerToken, { role: 'admin' });
    expect(sameAdmin.status).toBe(200);
    expect(sameAdmin.body.role).toBe('admin');
    expect(Number(sameAdmin.headers.get('x-position'))).toBe(before);
    const real = await patchRole(orgId, members[0].sub, ownerToken, { role: 'admin' });
    expect(real.status).toBe(200);
    expect(Number(real.headers.get('x-position'))).toBeGreaterThan(before);
  });

  it("role 'owner' or another value → 400 validation_failed; unknown field → 400", async () => {
    const { orgId, ownerToken, ownerSub, members } = await team(t, { members: 1 });
    expectValidation(await patchRole(orgId, members[0].sub, ownerToken, { role: 'owner' }), 'role');
    expectValidation(await patchRole(orgId, members[0].sub, ownerToken, { role: 'bogus' }), 'role');
    expectValidation(await patchRole(orgId, members[0].sub, ownerToken, {}), 'role');
    expectValidation(await patchRole(orgId, members[0].sub, ownerToken, { role: 'admin', extra: true }), 'extra');
    expectValidation(await patchRole(orgId, ownerSub, ownerToken, { role: 'owner' }), 'role');
    await expectRole(orgId, members[0].token, 'member');
  });

  it("changing the owner's role → 409 owner_role_immutable", async () => {
    const { orgId, ownerSub, ownerToken, admins } = await team(t, { admins: 1 });
    expectProblem(await patchRole(orgId, ownerSub, ownerToken, { role: 'admin' }), 409, 'owner_role_immutable');
    expectProblem(await patchRole(orgId, ownerSub, ownerToken, { role: 'member' }), 409, 'owner_role_immutable');
    expectProblem(await patchRole(orgId, ownerSub, admins[0].token, { role: 'member' }), 409, 'owner_role_immutable');
    await expectRole(orgId, ownerToken, 'owner');
  });

  it('unknown target → 404 not_found; member caller → 403 forbidden; non-member caller → 404', async () => {
    const { orgId, ownerToken, admins, members } = await team(t, { admins: 1, members: 2 });
    expectProblem(await patchRole(orgId, 'nobody-here', ownerToken, { role: 'admin' }), 404, 'not_found');
    expectProblem(await patchRole(orgId, members[1].sub, members[0].token, { role: 'admin' }), 403, 'forbidden');
    expectProblem(await patchRole(orgId, admins[0].sub, members[0].token, { role: 'member' }), 403, 'forbidden');
    expectProblem(await patchRole(orgId, members[0].sub, members[0].token, { role: 'admin' }), 403, 'forbidden');
    const stranger = await t.token(uniq('stranger'));
    expectProblem(await patchRole(orgId, members[0].sub, stranger, { role: 'admin' }), 404, 'not_found');
    await expectRole(orgId, members[0].token, 'member');
    await expectRole(orgId, members[1].token, 'member');
  });

  it('an invited (not yet accepted) user is not a member → 404 not_found', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('pending');
    expect((await invite(t, orgId, ownerToken, emailOf(sub), 'member')).status).toBe(201);
    expectProblem(await patchRole(orgId, sub, ownerToken, { role: 'admin' }), 404, 'not_found');
    expectProblem(await remove(orgId, sub, ownerToken), 404, 'not_found');
  });
});

describe('DELETE /orgs/:orgId/members/:userId (remove)', () => {
  it('204; the removed user loses access at once; memberCount drops', async () => {
    const { orgId, ownerToken, members } = await team(t, { members: 2 });
    const [m] = members;
    expect((await getOrg(orgId, ownerToken)).body.memberCount).toBe(3);
    const res = await remove(orgId, m.sub, ownerToken);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers.get('x-position')).toBeTruthy();
    expectProblem(await getOrg(orgId, m.token), 404, 'not_found');
    expectProblem(await permissions(orgId, m.token), 404, 'not_found');
    expectProblem(await leave(orgId, m.token), 404, 'not_found');
    expect((await getOrg(orgId, ownerToken)).body.memberCount).toBe(2);
    // removing again → not a member any more
    expectProblem(await remove(orgId, m.sub, ownerToken), 404, 'not_found');
    expectProblem(await patchRole(orgId, m.sub, ownerToken, { role: 'admin' }), 404, 'not_found');
  });

  it('a removed admin loses their permissions at once and their pending invitations are revoked', async () => {
    const { orgId, ownerToken, admins } = await team(t, { admins: 2 });
    const [gone, stays] = admins;
    const byGone = uniq('bygone');
    const byStays = uniq('bystays');
    expect((await invite(t, orgId, gone.token, emailOf(byGone), 'member')).status).toBe(201);
    expect((await invite(t, orgId, stays.token, emailOf(byStays), 'member')).status).toBe(201);
    const goneLink = await linkFor(t, emailOf(byGone));
    const staysLink = await linkFor(t, emailOf(byStays));

    expect((await remove(orgId, gone.sub, stays.token)).status).toBe(204);
    expectProblem(await invite(t, orgId, gone.token, emailOf(uniq('x')), 'member'), 404, 'not_found');
    expectProblem(await remove(orgId, stays.sub, gone.token), 404, 'not_found');

    expectProblem(await t.request('POST', `/invitations/${goneLink}/accept`, { token: await t.token(byGone) }), 410, 'invitation_revoked');
    expect((await t.request('GET', `/invitations/${goneLink}`)).body?.status).toBe('revoked');
    const ok = await t.request('POST', `/invitations/${staysLink}/accept`, { token: await t.token(byStays) });
    expect(ok.status).toBe(200);
    // a revoked invitation does not block re-inviting that email
    expect((await invite(t, orgId, ownerToken, emailOf(byGone), 'member')).status).toBe(201);
  });

  it('a removed user may be invited again and rejoin', async () => {
    const { orgId, ownerToken, members } = await team(t, { members: 1 });
    const [m] = members;
    expect((await remove(orgId, m.sub, ownerToken)).status).toBe(204);
    const again = await inviteAndAccept(t, orgId, ownerToken, m.sub, 'admin');
    await expectRole(orgId, again, 'admin');
  });

  it('removing the owner → 409 owner_cannot_be_removed', async () => {
    const { orgId, ownerSub, ownerToken, admins } = await team(t, { admins: 1 });
    expectProblem(await remove(orgId, ownerSub, admins[0].token), 409, 'owner_cannot_be_removed');
    expectProblem(await remove(orgId, ownerSub, ownerToken), 409, 'owner_cannot_be_removed');
    await expectRole(orgId, ownerToken, 'owner');
  });

  it('member caller → 403 forbidden; non-member → 404; unknown target → 404', async () => {
    const { orgId, ownerToken, members } = await team(t, { members: 2 });
    expectProblem(await remove(orgId, members[1].sub, members[0].token), 403, 'forbidden');
    const stranger = await t.token(uniq('stranger'));
    expectProblem(await remove(orgId, members[1].sub, stranger), 404, 'not_found');
    expectProblem(await remove(orgId, 'nobody-here', ownerToken), 404, 'not_found');
    await expectRole(orgId, members[1].token, 'member');
  });
});

describe('POST /orgs/:orgId/leave', () => {
  it('204, then 404 for the leaver; memberCount drops', async () => {
    const { orgId, ownerToken, members } = await team(t, { members: 1 });
    const res = await leave(orgId, members[0].token);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectProblem(await getOrg(orgId, members[0].token), 404, 'not_found');
    expectProblem(await permissions(orgId, members[0].token), 404, 'not_found');
    expectProblem(await leave(orgId, members[0].token), 404, 'not_found');
    expect((await getOrg(orgId, ownerToken)).body.memberCount).toBe(1);
  });

  it("an admin leaving: as removal, the admin's pending invitations are revoked", async () => {
    const { orgId, admins } = await team(t, { admins: 1 });
    const invitee = uniq('inv');
    expect((await invite(t, orgId, admins[0].token, emailOf(invitee), 'member')).status).toBe(201);
    const link = await linkFor(t, emailOf(invitee));
    expect((await leave(orgId, admins[0].token)).status).toBe(204);
    expectProblem(await getOrg(orgId, admins[0].token), 404, 'not_found');
    expectProblem(await t.request('POST', `/invitations/${link}/accept`, { token: await t.token(invitee) }), 410, 'invitation_revoked');
  });

  it('the owner leaving → 409 owner_cannot_be_removed; a non-member → 404', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    expectProblem(await leave(orgId, ownerToken), 409, 'owner_cannot_be_removed');
    await expectRole(orgId, ownerToken, 'owner');
    expectProblem(await leave(orgId, await t.token(uniq('stranger'))), 404, 'not_found');
  });
});

describe('POST /orgs/:orgId/ownership-transfer', () => {
  it('200 {ownerId, previousOwnerId}; the previous owner becomes admin; the new owner can delete the org', async () => {
    const { orgId, ownerSub, ownerToken, admins } = await team(t, { admins: 1 });
    const [a] = admins;
    const res = await transfer(orgId, ownerToken, a.sub);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ownerId: a.sub, previousOwnerId: ownerSub });
    expect(res.headers.get('x-position')).toBeTruthy();

    const org = await getOrg(orgId, ownerToken);
    expect(org.status).toBe(200);
    expect(org.body.ownerId).toBe(a.sub);
    expect(org.body.memberCount).toBe(2);
    await expectRole(orgId, ownerToken, 'admin');
    await expectRole(orgId, a.token, 'owner');

    // the previous owner can now be changed / removed like any admin, and lost owner-only rights
    expectProblem(await transfer(orgId, ownerToken, ownerSub), 403, 'forbidden');
    expectProblem(await t.request('DELETE', `/orgs/${orgId}`, { token: ownerToken }), 403, 'forbidden');
    expectProblem(await patchRole(orgId, a.sub, ownerToken, { role: 'member' }), 409, 'owner_role_immutable');

    const del = await t.request('DELETE', `/orgs/${orgId}`, { token: a.token });
    expect(del.status).toBe(204);
    expectProblem(await getOrg(orgId, a.token), 404, 'not_found');
  });

  it('the new owner may then demote or remove the previous owner', async () => {
    const { orgId, ownerSub, ownerToken, admins } = await team(t, { admins: 1 });
    expect((await transfer(orgId, ownerToken, admins[0].sub)).status).toBe(200);
    const down = await patchRole(orgId, ownerSub, admins[0].token, { role: 'member' });
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ kind: 'member', userId: ownerSub, role: 'member', status: 'active' });
    await expectRole(orgId, ownerToken, 'member');
    expect((await remove(orgId, ownerSub, admins[0].token)).status).toBe(204);
    expectProblem(await getOrg(orgId, ownerToken), 404, 'not_found');
  });

  it('to a member → 409 transfer_target_not_admin; to self → 409; to a non-member → 404 not_found', async () => {
    const { orgId, ownerSub, ownerToken, members } = await team(t, { members: 1 });
    expectProblem(await transfer(orgId, ownerToken, members[0].sub), 409, 'transfer_target_not_admin');
    expectProblem(await transfer(orgId, ownerToken, ownerSub), 409, 'transfer_target_not_admin');
    expectProblem(await transfer(orgId, ownerToken, uniq('nobody')), 404, 'not_found');
    const org = await getOrg(orgId, ownerToken);
    expect(org.body.ownerId).toBe(ownerSub);
    await expectRole(orgId, ownerToken, 'owner');
    await expectRole(orgId, members[0].token, 'member');
  });

  it('to a removed admin → 404 not_found', async () => {
    const { orgId, ownerToken, admins } = await team(t, { admins: 1 });
    expect((await remove(orgId, admins[0].sub, ownerToken)).status).toBe(204);
    expectProblem(await transfer(orgId, ownerToken, admins[0].sub), 404, 'not_found');
  });

  it('admin or member caller → 403 forbidden; non-member → 404', async () => {
    const { orgId, ownerSub, ownerToken, admins, members } = await team(t, { admins: 2, members: 1 });
    expectProblem(await transfer(orgId, admins[0].token, admins[1].sub), 403, 'forbidden');
    expectProblem(await transfer(orgId, admins[0].token, admins[0].sub), 403, 'forbidden');
    expectProblem(await transfer(orgId, members[0].token, admins[0].sub), 403, 'forbidden');
    expectProblem(await transfer(orgId, await t.token(uniq('stranger')), admins[0].sub), 404, 'not_found');
    expect((await getOrg(orgId, ownerToken)).body.ownerId).toBe(ownerSub);
  });

  it('a missing or bad newOwnerId → 400 validation_failed', async () => {
    const { orgId, ownerToken, admins } = await team(t, { admins: 1 });
    expectValidation(await t.request('POST', `/orgs/${orgId}/ownership-transfer`, { token: ownerToken, body: {} }), 'newOwnerId');
    expectValidation(await transfer(orgId, ownerToken, ''), 'newOwnerId');
    expectValidation(await transfer(orgId, ownerToken, 42), 'newOwnerId');
    expectValidation(
      await t.request('POST', `/orgs/${orgId}/ownership-transfer`, { token: ownerToken, body: { newOwnerId: admins[0].sub, extra: 1 } }),
      'extra',
    );
  });
});

describe('PATCH /orgs/:orgId (rename)', () => {
  it('200 Org with the name trimmed', async () => {
    const { orgId, org, ownerSub, ownerToken } = await createOrg(t);
    const res = await t.request('PATCH', `/orgs/${orgId}`, { token: ownerToken, body: { name: '   New Name \t ' } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'id', 'memberCount', 'name', 'ownerId']);
    expect(res.body).toEqual({ id: orgId, name: 'New Name', ownerId: ownerSub, memberCount: 1, createdAt: org.createdAt });
    expect(res.body.createdAt).toMatch(ISO_UTC);
    expect(res.headers.get('x-position')).toBeTruthy();
    expect((await getOrg(orgId, ownerToken)).body.name).toBe('New Name');
  });

  it('an admin may rename; 100 characters are fine', async () => {
    const { orgId, admins } = await team(t, { admins: 1 });
    const name = 'n'.repeat(100);
    const res = await t.request('PATCH', `/orgs/${orgId}`, { token: admins[0].token, body: { name } });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe(name);
  });

  it("'' , blanks, 101 characters, a missing name or an unknown field → 400 validation_failed", async () => {
    const { orgId, org, ownerToken } = await createOrg(t);
    const rename = (body: unknown) => t.request('PATCH', `/orgs/${orgId}`, { token: ownerToken, body });
    expectValidation(await rename({ name: '' }), 'name');
    expectValidation(await rename({ name: '    ' }), 'name');
    expectValidation(await rename({ name: 'x'.repeat(101) }), 'name');
    expectValidation(await rename({}), 'name');
    expectValidation(await rename({ name: 7 }), 'name');
    expectValidation(await rename({ name: 'Fine', ownerId: 'me' }), 'ownerId');
    expect((await getOrg(orgId, ownerToken)).body.name).toBe(org.name);
  });

  it('member → 403 forbidden; non-member → 404', async () => {
    const { orgId, org, ownerToken, members } = await team(t, { members: 1 });
    expectProblem(await t.request('PATCH', `/orgs/${orgId}`, { token: members[0].token, body: { name: 'Mine' } }), 403, 'forbidden');
    expectProblem(await t.request('PATCH', `/orgs/${orgId}`, { token: await t.token(uniq('s')), body: { name: 'Mine' } }), 404, 'not_found');
    expect((await getOrg(orgId, ownerToken)).body.name).toBe(org.name);
  });
});

describe('DELETE /orgs/:orgId', () => {
  it('204; afterwards every /orgs/:orgId route answers 404 for everyone, and its invitation links 404 invitation_not_found', async () => {
    const { orgId, ownerSub, ownerToken, admins, members } = await team(t, { admins: 1, members: 1 });
    const invitee = uniq('late');
    const inv = await invite(t, orgId, ownerToken, emailOf(invitee), 'member');
    expect(inv.status).toBe(201);
    const link = await linkFor(t, emailOf(invitee));

    expectProblem(await t.request('DELETE', `/orgs/${orgId}`, { token: admins[0].token }), 403, 'forbidden');
    expectProblem(await t.request('DELETE', `/orgs/${orgId}`, { token: members[0].token }), 403, 'forbidden');
    expectProblem(await t.request('DELETE', `/orgs/${orgId}`, { token: await t.token(uniq('s')) }), 404, 'not_found');

    const res = await t.request('DELETE', `/orgs/${orgId}`, { token: ownerToken });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    const callers = [
      { who: 'owner', token: ownerToken },
      { who: 'admin', token: admins[0].token },
      { who: 'member', token: members[0].token },
    ];
    for (const { who, token } of callers) {
      const calls: [string, string, unknown?][] = [
        ['GET', `/orgs/${orgId}`],
        ['GET', `/orgs/${orgId}/permissions`],
        ['PATCH', `/orgs/${orgId}`, { name: 'Again' }],
        ['DELETE', `/orgs/${orgId}`],
        ['POST', `/orgs/${orgId}/invitations`, { email: emailOf(uniq('x')), role: 'member' }],
        ['POST', `/orgs/${orgId}/invitations/${inv.body.id}/resend`],
        ['DELETE', `/orgs/${orgId}/invitations/${inv.body.id}`],
        ['PATCH', `/orgs/${orgId}/members/${members[0].sub}`, { role: 'admin' }],
        ['DELETE', `/orgs/${orgId}/members/${members[0].sub}`],
        ['POST', `/orgs/${orgId}/leave`],
        ['POST', `/orgs/${orgId}/ownership-transfer`, { newOwnerId: admins[0].sub }],
      ];
      for (const [method, path, body] of calls) {
        const r = await t.request(method, path, { token, body });
        expect({ who, method, path, status: r.status, code: r.body?.code }).toEqual({ who, method, path, status: 404, code: 'not_found' });
      }
    }
    expectProblem(await t.request('GET', `/invitations/${link}`), 404, 'invitation_not_found');
    expectProblem(await t.request('POST', `/invitations/${link}/accept`, { token: await t.token(invitee) }), 404, 'invitation_not_found');
    expectProblem(await t.request('POST', `/invitations/${link}/decline`, { token: await t.token(invitee) }), 404, 'invitation_not_found');
    // the users themselves are unaffected
    const fresh = await t.request('POST', '/orgs', { token: ownerToken, body: { name: 'Next' } });
    expect(fresh.status).toBe(201);
    expect(fresh.body.ownerId).toBe(ownerSub);
  });
});

describe('GET /orgs/:orgId/permissions', () => {
  it('answers exactly the permission lists of the matrix for each role', async () => {
    const { orgId, ownerToken, admins, members } = await team(t, { admins: 1, members: 1 });
    const expected = {
      owner: [
        'assets:import', 'implementations:deploy', 'audits:run', 'activity-log:view', 'stats:view', 'portals:manage',
        'brand-configs:create', 'members:manage', 'roles:change', 'org-settings:modify', 'domains:manage',
        'billing:manage', 'org:delete', 'ownership:transfer',
      ],
      admin: [
        'assets:import', 'implementations:deploy', 'audits:run', 'activity-log:view', 'stats:view', 'portals:manage',
        'brand-configs:create', 'members:manage', 'roles:change', 'org-settings:modify', 'domains:manage',
      ],
      member: [
        'assets:import', 'implementations:deploy', 'audits:run', 'activity-log:view', 'stats:view', 'portals:manage',
        'brand-configs:create',
      ],
    };
    for (const [role, token] of [['owner', ownerToken], ['admin', admins[0].token], ['member', members[0].token]] as const) {
      const res = await permissions(orgId, token);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['permissions', 'role']);
      expect(res.body.role).toBe(role);
      expect(new Set(res.body.permissions).size).toBe(res.body.permissions.length);
      expect(sorted(res.body.permissions)).toEqual(sorted(expected[role]));
    }
  });

  it('non-member → 404 not_found; no token → 401; unknown org → 404', async () => {
    const { orgId } = await createOrg(t);
    expectProblem(await permissions(orgId, await t.token(uniq('s'))), 404, 'not_found');
    expectProblem(await t.request('GET', `/orgs/${orgId}/permissions`), 401, 'unauthenticated');
    expectProblem(await permissions('no-such-org', await t.token(uniq('s'))), 404, 'not_found');
  });
});

describe('concurrency', () => {
  it('two parallel ownership transfers to two admins: exactly one succeeds, exactly one owner afterwards', async () => {
    const { orgId, ownerSub, ownerToken, admins } = await team(t, { admins: 2 });
    const results = await Promise.all(admins.map((a) => transfer(orgId, ownerToken, a.sub)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    const loser = results.find((r) => r.status !== 200)!;
    expect(loser.status === 403 ? loser.body?.code === 'forbidden' : loser.status === 409).toBe(true);
    const winner = admins[statuses.indexOf(200)];
    expect(results[statuses.indexOf(200)].body).toEqual({ ownerId: winner.sub, previousOwnerId: ownerSub });

    const org = await getOrg(orgId, ownerToken);
    expect(org.body.ownerId).toBe(winner.sub);
    expect(org.body.memberCount).toBe(3);
    const roles: Record<string, string> = {};
    for (const [sub, token] of [[ownerSub, ownerToken], ...admins.map((a) => [a.sub, a.token])]) {
      const res = await permissions(orgId, token);
      expect(res.status).toBe(200);
      roles[sub] = res.body.role;
    }
    expect(Object.values(roles).filter((r) => r === 'owner')).toHaveLength(1);
    expect(roles[winner.sub]).toBe('owner');
    expect(roles[ownerSub]).toBe('admin');
  });

  it('parallel transfers from the owner to many admins: exactly one owner afterwards', async () => {
    const { orgId, ownerSub, ownerToken, admins } = await team(t, { admins: 6 });
    const results = await Promise.all(admins.map((a) => transfer(orgId, ownerToken, a.sub)));
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const org = await getOrg(orgId, ownerToken);
    const roles = await Promise.all([ownerToken, ...admins.map((a) => a.token)].map(async (tok) => (await permissions(orgId, tok)).body.role));
    expect(roles.filter((r) => r === 'owner')).toHaveLength(1);
    expect(org.body.ownerId).not.toBe(ownerSub);
  });

  it('10 admins demoted and 10 removed in parallel: all succeed and the final state is consistent', async () => {
    const { orgId, ownerToken, admins } = await team(t, { admins: 20 });
    const demoted = admins.slice(0, 10);
    const removed = admins.slice(10);
    const results = await Promise.all([
      ...demoted.map((a) => patchRole(orgId, a.sub, ownerToken, { role: 'member' })),
      ...removed.map((a) => remove(orgId, a.sub, ownerToken)),
    ]);
    expect(results.slice(0, 10).map((r) => `${r.status} ${r.body?.role ?? r.body?.code}`)).toEqual(demoted.map(() => '200 member'));
    expect(results.slice(10).map((r) => (r.status === 204 ? '204' : `${r.status} ${r.body?.code}`))).toEqual(removed.map(() => '204'));

    for (const a of removed) expectProblem(await getOrg(orgId, a.token), 404, 'not_found');
    for (const a of demoted) await expectRole(orgId, a.token, 'member');
    const org = await getOrg(orgId, ownerToken);
    expect(org.body.memberCount).toBe(11);
    await expectRole(orgId, ownerToken, 'owner');
  });

  it('parallel removals by two admins of each other: the org keeps a consistent state', async () => {
    const { orgId, ownerToken, admins } = await team(t, { admins: 2 });
    const [a, b] = admins;
    const results = await Promise.all([remove(orgId, b.sub, a.token), remove(orgId, a.sub, b.token)]);
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    expect(results.filter((r) => r.status === 204)).toHaveLength(1);
    const other = results.find((r) => r.status !== 204)!;
    expect(['404 not_found', '409 concurrency_conflict']).toContain(`${other.status} ${other.body?.code}`);
    const stillIn = await Promise.all([a, b].map(async (x) => (await getOrg(orgId, x.token)).status === 200));
    const count = (await getOrg(orgId, ownerToken)).body.memberCount;
    expect(count).toBe(1 + stillIn.filter(Boolean).length);
  });
});
