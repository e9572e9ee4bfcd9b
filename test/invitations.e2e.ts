import { startTestApp, type TestApp } from './support/test-app';
import { outbox, tokenIn } from './support/outbox';
import {
  DEFAULT_LINK_BASE,
  ISO_UTC,
  SEVEN_DAYS_MS,
  createOrg,
  emailOf,
  expectProblem,
  expectValidation,
  flipPayloadChar,
  flipSignatureChar,
  invite,
  inviteAndAccept,
  linkFor,
  mailsTo,
  rawMail,
  recipients,
  sleep,
  team,
  uniq,
  waitUntilPast,
} from './support/team';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const INVITATION_KEYS = ['email', 'expiresAt', 'id', 'invitedAt', 'invitedBy', 'orgId', 'role', 'status'];
const accept = (link: string, token?: string) => t.request('POST', `/invitations/${link}/accept`, { token });
const decline = (link: string, token?: string) => t.request('POST', `/invitations/${link}/decline`, { token });

describe('POST /orgs/:orgId/invitations', () => {
  it('answers 201 with exactly the Invitation shape, expiring 7 days after it was sent', async () => {
    const { orgId, ownerSub, ownerToken } = await createOrg(t);
    const email = emailOf(uniq('bob'));
    const before = Date.now();
    const res = await invite(t, orgId, ownerToken, email, 'admin');
    const after = Date.now();
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(res.body).sort()).toEqual(INVITATION_KEYS);
    expect(res.body).toEqual({
      id: expect.any(String),
      orgId,
      email,
      role: 'admin',
      status: 'pending',
      invitedBy: ownerSub,
      invitedAt: expect.stringMatching(ISO_UTC),
      expiresAt: expect.stringMatching(ISO_UTC),
    });
    expect(res.body.id.length).toBeGreaterThan(0);
    const invitedAt = Date.parse(res.body.invitedAt);
    expect(invitedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(invitedAt).toBeLessThanOrEqual(after + 1000);
    expect(Date.parse(res.body.expiresAt) - invitedAt).toBe(SEVEN_DAYS_MS);
    expect(res.headers.get('x-position')).toBeTruthy();
  });

  it('normalizes the email: trims, NFC-normalizes and lowercases it', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const local = uniq('jose');
    // "JOSE" + combining acute accent (NFD) → "josé" (precomposed U+00E9)
    const raw = `  ${local.toUpperCase()}JOSE\u0301@Example.COM \t`;
    const res = await invite(t, orgId, ownerToken, raw, 'member');
    expect(res.status).toBe(201);
    expect(res.body.email).toBe(`${local}jos\u00e9@example.com`);
    expect(res.body.email).toBe(res.body.email.normalize('NFC'));
    const mails = await mailsTo(t.dataDir, res.body.email);
    expect(mails).toHaveLength(1);
    expect(recipients(mails[0])).toEqual([res.body.email]);
  });

  it('normalizes an ASCII email and mails the stored address only', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('carol');
    const res = await invite(t, orgId, ownerToken, `   ${sub.toUpperCase()}@EXAMPLE.com  `, 'member');
    expect(res.status).toBe(201);
    expect(res.body.email).toBe(emailOf(sub));
    const mails = await mailsTo(t.dataDir, emailOf(sub));
    expect(mails).toHaveLength(1);
    expect(recipients(mails[0])).toEqual([emailOf(sub)]);
  });

  it('writes one email to the outbox, addressed only to the invitee, holding the link', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const email = emailOf(uniq('dora'));
    const res = await invite(t, orgId, ownerToken, email, 'member');
    expect(res.status).toBe(201);
    const mails = await mailsTo(t.dataDir, email);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(recipients(mail)).toEqual([email]);
    expect(mail.mail.cc).toBeUndefined();
    expect(mail.mail.bcc).toBeUndefined();
    expect(mail.text).toContain(DEFAULT_LINK_BASE);
    const link = tokenIn(mail.text, DEFAULT_LINK_BASE);
    expect(link.length).toBeGreaterThan(20);
    expect(mail.text).toContain(`${DEFAULT_LINK_BASE}${link}`);
    // the token never appears in the API answer
    expect(res.text).not.toContain(link);
    const preview = await t.request('GET', `/invitations/${link}`);
    expect(preview.status).toBe(200);
    expect(preview.body.email).toBe(email);
  });

  it('rejects header-injection attempts and mails nobody', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const victim = emailOf(uniq('victim'));
    const attacker = `${uniq('attacker')}@evil.test`;
    const before = (await outbox(t.dataDir)).length;
    const attempts = [
      `${victim}\r\nBcc: ${attacker}`,
      `${victim}\nBcc: ${attacker}`,
      `${victim}\r\nCc: ${attacker}`,
      `${victim}\r\n`,
      `${victim}\n`,
      `${victim}, ${attacker}`,
      `${victim};${attacker}`,
      `Victim <${victim}>, ${attacker}`,
      `${victim}\rBcc: ${attacker}`,
    ];
    for (const email of attempts) {
      const res = await invite(t, orgId, ownerToken, email, 'member');
      expectValidation(res, 'email');
    }
    const after = await outbox(t.dataDir);
    expect(after.length).toBe(before);
    for (const m of after) {
      expect(recipients(m)).not.toContain(attacker);
      expect(rawMail(t.dataDir, m)).not.toContain(attacker);
    }
  });

  it('a malicious org name or inviter name adds no recipient or header to the email', async () => {
    const attacker = `${uniq('attacker')}@evil.test`;
    const owner = uniq('evilowner');
    const ownerToken = await t.token(owner, { name: `Eve\r\nBcc: ${attacker}\r\nX-Injected: 1` });
    let org = await t.request('POST', '/orgs', { token: ownerToken, body: { name: `Acme\r\nBcc: ${attacker}\r\nX-Injected: 1` } });
    if (org.status !== 201) {
      // refusing such a name is fine too; then the inviter's name is the only vector
      expectValidation(org, 'name');
      org = await t.request('POST', '/orgs', { token: ownerToken, body: { name: 'Acme' } });
    }
    expect(org.status).toBe(201);
    const email = emailOf(uniq('target'));
    expect((await invite(t, org.body.id, ownerToken, email, 'member')).status).toBe(201);
    const mails = await mailsTo(t.dataDir, email);
    expect(mails).toHaveLength(1);
    expect(recipients(mails[0])).toEqual([email]);
    expect(mails[0].mail.headers.has('bcc')).toBe(false);
    expect(mails[0].mail.headers.has('cc')).toBe(false);
    expect(mails[0].mail.headers.has('x-injected')).toBe(false);
    const raw = rawMail(t.dataDir, mails[0]);
    const head = raw.slice(0, raw.search(/\r?\n\r?\n/));
    expect(head).not.toMatch(/^(bcc|cc|x-injected):/im);
    for (const m of await outbox(t.dataDir)) expect(recipients(m)).not.toContain(attacker);
  });

  describe('validation', () => {
    let orgId: string;
    let ownerToken: string;
    beforeAll(async () => {
      ({ orgId, ownerToken } = await createOrg(t));
    });
    const post = (body: unknown) => t.request('POST', `/orgs/${orgId}/invitations`, { token: ownerToken, body });

    it.each([
      ['owner', 'owner'],
      ['bogus', 'bogus'],
      ['ADMIN', 'ADMIN'],
      ['empty', ''],
      ['a number', 1],
      ['null', null],
    ])('role %s → 400 validation_failed naming role', async (_label, role) => {
      expectValidation(await post({ email: emailOf(uniq('v')), role }), 'role');
    });

    it('missing role → 400 validation_failed naming role', async () => {
      expectValidation(await post({ email: emailOf(uniq('v')) }), 'role');
    });

    it('missing email → 400 validation_failed naming email', async () => {
      expectValidation(await post({ role: 'member' }), 'email');
    });

    const long254 = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    const long255 = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`;

    it.each([
      ['a display name', 'Bob <bob@example.com>'],
      ['a display name (quoted)', '"Bob" <bob@example.com>'],
      ['angle brackets only', '<bob@example.com>'],
      ['a list', 'bob@example.com, carol@example.com'],
      ['a list without space', 'bob@example.com,carol@example.com'],
      ['a semicolon list', 'bob@example.com;carol@example.com'],
      ['a comma', 'bob,smith@example.com'],
      ['a CR/LF', 'bob@example.com\r\nBcc: eve@example.com'],
      ['a LF', 'bob\n@example.com'],
      ['a trailing CR/LF', 'bob@example.com\r\n'],
      ['255 characters', long255],
      ['a fullwidth ＠', 'bob\uFF20example.com'],
      ['a small commercial at', 'bob\uFE6Bexample.com'],
      ['two @', 'bob@carol@example.com'],
      ['no @', 'bob.example.com'],
      ['an empty string', ''],
      ['only spaces', '   '],
      ['a number', 42],
      ['null', null],
    ])('email with %s → 400 validation_failed naming email', async (_label, email) => {
      expectValidation(await post({ email, role: 'member' }), 'email');
    });

    it('a 254-character email is accepted', async () => {
      expect(long254).toHaveLength(254);
      expect(long255).toHaveLength(255);
      const res = await post({ email: long254, role: 'member' });
      expect(res.status).toBe(201);
      expect(res.body.email).toBe(long254);
    });

    it('unknown field → 400 validation_failed naming it', async () => {
      expectValidation(await post({ email: emailOf(uniq('v')), role: 'member', bcc: 'eve@example.com' }), 'bcc');
    });

    it('a non-object body → 400 validation_failed', async () => {
      const res = await post([{ email: emailOf(uniq('v')), role: 'member' }]);
      expectProblem(res, 400, 'validation_failed');
    });

    it('validation failures create no invitation and send no email', async () => {
      const email = emailOf(uniq('nomail'));
      expectValidation(await post({ email, role: 'owner' }), 'role');
      expect(await mailsTo(t.dataDir, email)).toHaveLength(0);
      // nothing is pending: inviting properly now works
      expect((await post({ email, role: 'member' })).status).toBe(201);
    });
  });

  it('409 already_member for an active member, case-insensitively and after trimming', async () => {
    const { orgId, ownerSub, ownerToken } = await createOrg(t);
    expectProblem(await invite(t, orgId, ownerToken, emailOf(ownerSub), 'member'), 409, 'already_member');
    expectProblem(await invite(t, orgId, ownerToken, `  ${emailOf(ownerSub).toUpperCase()} `, 'admin'), 409, 'already_member');
    const sub = uniq('mem');
    await inviteAndAccept(t, orgId, ownerToken, sub, 'member');
    expectProblem(await invite(t, orgId, ownerToken, emailOf(sub), 'member'), 409, 'already_member');
    expectProblem(await invite(t, orgId, ownerToken, emailOf(sub).toUpperCase(), 'admin'), 409, 'already_member');
  });

  it('409 already_member when the member joined with a mixed-case email claim', async () => {
    const owner = uniq('OwnerMixed');
    const ownerToken = await t.token(owner, { email: `  ${owner.toUpperCase()}@Example.COM` });
    const org = await t.request('POST', '/orgs', { token: ownerToken, body: { name: 'Mixed' } });
    expect(org.status).toBe(201);
    expectProblem(await invite(t, org.body.id, ownerToken, `${owner.toLowerCase()}@example.com`, 'member'), 409, 'already_member');

    const sub = uniq('mixed');
    await invite(t, org.body.id, ownerToken, emailOf(sub), 'member');
    const link = await linkFor(t, emailOf(sub));
    const joined = await accept(link, await t.token(sub, { email: emailOf(sub).toUpperCase() }));
    expect(joined.status).toBe(200);
    expectProblem(await invite(t, org.body.id, ownerToken, emailOf(sub), 'admin'), 409, 'already_member');
  });

  it('409 invitation_pending for a pending invitation, also with another case', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('pend');
    expect((await invite(t, orgId, ownerToken, emailOf(sub), 'member')).status).toBe(201);
    expectProblem(await invite(t, orgId, ownerToken, emailOf(sub), 'member'), 409, 'invitation_pending');
    expectProblem(await invite(t, orgId, ownerToken, ` ${emailOf(sub).toUpperCase()}`, 'admin'), 409, 'invitation_pending');
    expect(await mailsTo(t.dataDir, emailOf(sub))).toHaveLength(1);
  });

  it('the same email may be pending in two different orgs', async () => {
    const a = await createOrg(t);
    const b = await createOrg(t);
    const email = emailOf(uniq('two'));
    expect((await invite(t, a.orgId, a.ownerToken, email, 'member')).status).toBe(201);
    expect((await invite(t, b.orgId, b.ownerToken, email, 'member')).status).toBe(201);
  });

  it('an admin may invite; a member gets 403 forbidden; a non-member 404 not_found; no token 401', async () => {
    const { orgId, admins, members } = await team(t, { admins: 1, members: 1 });
    expect((await invite(t, orgId, admins[0].token, emailOf(uniq('x')), 'admin')).status).toBe(201);
    expectProblem(await invite(t, orgId, members[0].token, emailOf(uniq('x')), 'member'), 403, 'forbidden');
    const stranger = await t.token(uniq('stranger'));
    expectProblem(await invite(t, orgId, stranger, emailOf(uniq('x')), 'member'), 404, 'not_found');
    expectProblem(await t.request('POST', `/orgs/${orgId}/invitations`, { body: { email: emailOf(uniq('x')), role: 'member' } }), 401, 'unauthenticated');
    expectProblem(await invite(t, 'no-such-org', stranger, emailOf(uniq('x')), 'member'), 404, 'not_found');
  });
});

describe('resend', () => {
  it('answers 200 with a new expiresAt and mails a new link; the old link then answers 410 invitation_expired', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('res');
    const inv = await invite(t, orgId, ownerToken, emailOf(sub), 'admin');
    expect(inv.status).toBe(201);
    const oldLink = await linkFor(t, emailOf(sub));
    await sleep(15);
    const before = Date.now();
    const res = await t.request('POST', `/orgs/${orgId}/invitations/${inv.body.id}/resend`, { token: ownerToken });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(INVITATION_KEYS);
    expect(res.body).toMatchObject({ id: inv.body.id, orgId, email: emailOf(sub), role: 'admin', status: 'pending' });
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.parse(inv.body.expiresAt));
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThanOrEqual(before + SEVEN_DAYS_MS - 1000);
    expect(Date.parse(res.body.expiresAt)).toBeLessThanOrEqual(Date.now() + SEVEN_DAYS_MS + 1000);

    const mails = await mailsTo(t.dataDir, emailOf(sub));
    expect(mails).toHaveLength(2);
    const newLink = await linkFor(t, emailOf(sub));
    expect(newLink).not.toBe(oldLink);
    expect(res.text).not.toContain(newLink);

    const bob = await t.token(sub);
    expectProblem(await accept(oldLink, bob), 410, 'invitation_expired');
    expectProblem(await decline(oldLink, bob), 410, 'invitation_expired');
    const ok = await accept(newLink, bob);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ orgId, userId: sub, role: 'admin' });
  });

  it('parallel resends: all 200, and only the newest link works', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('pres');
    const inv = await invite(t, orgId, ownerToken, emailOf(sub), 'member');
    const results = await Promise.all(
      Array.from({ length: 5 }, () => t.request('POST', `/orgs/${orgId}/invitations/${inv.body.id}/resend`, { token: ownerToken })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    // The email of a send already replaced by a later one when its job runs is not sent (its link
    // would be dead on arrival); the newest send's email always goes out.
    const mails = await mailsTo(t.dataDir, emailOf(sub));
    expect(mails.length).toBeGreaterThanOrEqual(1);
    expect(mails.length).toBeLessThanOrEqual(6);
    expect(mails.some((m) => m.file.endsWith('-6.eml'))).toBe(true);
    const links = mails.map((m) => tokenIn(m.text));
    expect(new Set(links).size).toBe(mails.length);
    const bob = await t.token(sub);
    const newest = links[links.length - 1];
    for (const old of links.slice(0, -1)) expectProblem(await accept(old, bob), 410, 'invitation_expired');
    expect((await accept(newest, bob)).status).toBe(200);
  });

  it('resend by a member → 403, by a non-member → 404, of an unknown invitation → 404', async () => {
    const { orgId, ownerToken, members } = await team(t, { members: 1 });
    const inv = await invite(t, orgId, ownerToken, emailOf(uniq('r')), 'member');
    expectProblem(await t.request('POST', `/orgs/${orgId}/invitations/${inv.body.id}/resend`, { token: members[0].token }), 403, 'forbidden');
    const stranger = await t.token(uniq('stranger'));
    expectProblem(await t.request('POST', `/orgs/${orgId}/invitations/${inv.body.id}/resend`, { token: stranger }), 404, 'not_found');
    expectProblem(await t.request('POST', `/orgs/${orgId}/invitations/no-such-invitation/resend`, { token: ownerToken }), 404, 'not_found');
  });

  it('resend of an accepted or declined invitation → 409 invitation_not_pending', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const a = uniq('acc');
    const invA = await invite(t, orgId, ownerToken, emailOf(a), 'member');
    expect((await accept(await linkFor(t, emailOf(a)), await t.token(a))).status).toBe(200);
    expectProblem(await t.request('POST', `/orgs/${orgId}/invitations/${invA.body.id}/resend`, { token: ownerToken }), 409, 'invitation_not_pending');
    expectProblem(await t.request('DELETE', `/orgs/${orgId}/invitations/${invA.body.id}`, { token: ownerToken }), 409, 'invitation_not_pending');

    const d = uniq('dec');
    const invD = await invite(t, orgId, ownerToken, emailOf(d), 'member');
    expect((await decline(await linkFor(t, emailOf(d)), await t.token(d))).status).toBe(204);
    expectProblem(await t.request('POST', `/orgs/${orgId}/invitations/${invD.body.id}/resend`, { token: ownerToken }), 409, 'invitation_not_pending');
    expectProblem(await t.request('DELETE', `/orgs/${orgId}/invitations/${invD.body.id}`, { token: ownerToken }), 409, 'invitation_not_pending');
    expect(await mailsTo(t.dataDir, emailOf(d))).toHaveLength(1);
  });
});

describe('revoke', () => {
  it('204; then the link answers 410 invitation_revoked; revoking or resending again → 409 invitation_not_pending', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('rev');
    const inv = await invite(t, orgId, ownerToken, emailOf(sub), 'member');
    const link = await linkFor(t, emailOf(sub));
    const res = await t.request('DELETE', `/orgs/${orgId}/invitations/${inv.body.id}`, { token: ownerToken });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const bob = await t.token(sub);
    expectProblem(await accept(link, bob), 410, 'invitation_revoked');
    expectProblem(await decline(link, bob), 410, 'invitation_revoked');
    expectProblem(await t.request('DELETE', `/orgs/${orgId}/invitations/${inv.body.id}`, { token: ownerToken }), 409, 'invitation_not_pending');
    expectProblem(await t.request('POST', `/orgs/${orgId}/invitations/${inv.body.id}/resend`, { token: ownerToken }), 409, 'invitation_not_pending');
    // a revoked invitation does not block a new one
    expect((await invite(t, orgId, ownerToken, emailOf(sub), 'member')).status).toBe(201);
    expect((await t.request('GET', `/orgs/${orgId}`, { token: bob })).status).toBe(404);
  });

  it('revoke by a member → 403, by a non-member → 404, of an unknown invitation → 404', async () => {
    const { orgId, ownerToken, members } = await team(t, { members: 1 });
    const inv = await invite(t, orgId, ownerToken, emailOf(uniq('r')), 'member');
    expectProblem(await t.request('DELETE', `/orgs/${orgId}/invitations/${inv.body.id}`, { token: members[0].token }), 403, 'forbidden');
    const stranger = await t.token(uniq('stranger'));
    expectProblem(await t.request('DELETE', `/orgs/${orgId}/invitations/${inv.body.id}`, { token: stranger }), 404, 'not_found');
    expectProblem(await t.request('DELETE', `/orgs/${orgId}/invitations/no-such-invitation`, { token: ownerToken }), 404, 'not_found');
  });
});

describe('GET /invitations/:token', () => {
  it('needs no authentication, answers the preview shape, and never uses the link up', async () => {
    const { orgId, org, ownerSub, ownerToken } = await createOrg(t);
    const sub = uniq('prev');
    const inv = await invite(t, orgId, ownerToken, emailOf(sub), 'admin');
    const link = await linkFor(t, emailOf(sub));
    for (let i = 0; i < 3; i++) {
      const res = await t.request('GET', `/invitations/${link}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        orgId,
        orgName: org.name,
        email: emailOf(sub),
        role: 'admin',
        status: 'pending',
        expiresAt: inv.body.expiresAt,
        invitedBy: { name: `Owner ${ownerSub}` },
      });
      expect(res.text).not.toContain(link);
    }
    const ok = await accept(link, await t.token(sub));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ orgId, userId: sub, role: 'admin' });
  });

  it('shows the status of the invitation: accepted, declined, revoked', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const [a, d, r] = [uniq('sa'), uniq('sd'), uniq('sr')];
    await invite(t, orgId, ownerToken, emailOf(a), 'member');
    await invite(t, orgId, ownerToken, emailOf(d), 'member');
    const invR = await invite(t, orgId, ownerToken, emailOf(r), 'member');
    const [la, ld, lr] = [await linkFor(t, emailOf(a)), await linkFor(t, emailOf(d)), await linkFor(t, emailOf(r))];
    expect((await accept(la, await t.token(a))).status).toBe(200);
    expect((await decline(ld, await t.token(d))).status).toBe(204);
    expect((await t.request('DELETE', `/orgs/${orgId}/invitations/${invR.body.id}`, { token: ownerToken })).status).toBe(204);
    expect((await t.request('GET', `/invitations/${la}`)).body.status).toBe('accepted');
    expect((await t.request('GET', `/invitations/${ld}`)).body.status).toBe('declined');
    expect((await t.request('GET', `/invitations/${lr}`)).body.status).toBe('revoked');
  });

  it('unknown or forged tokens → 404 invitation_not_found', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('prev');
    await invite(t, orgId, ownerToken, emailOf(sub), 'member');
    const link = await linkFor(t, emailOf(sub));
    for (const bad of ['garbage', 'a.b', flipSignatureChar(link), flipPayloadChar(link), `${link}x`, `${link}.x`]) {
      expectProblem(await t.request('GET', `/invitations/${encodeURIComponent(bad)}`), 404, 'invitation_not_found');
    }
  });
});

describe('accept and decline', () => {
  it('accept makes the caller an active member with the invited role at once', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('acc');
    const inv = await invite(t, orgId, ownerToken, emailOf(sub), 'admin');
    expect(inv.status).toBe(201);
    const bob = await t.token(sub);
    expectProblem(await t.request('GET', `/orgs/${orgId}`, { token: bob }), 404, 'not_found');
    const res = await accept(await linkFor(t, emailOf(sub)), bob);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ orgId, userId: sub, role: 'admin' });
    expect(res.headers.get('x-position')).toBeTruthy();
    const org = await t.request('GET', `/orgs/${orgId}`, { token: bob });
    expect(org.status).toBe(200);
    expect(org.body.memberCount).toBe(2);
    const perms = await t.request('GET', `/orgs/${orgId}/permissions`, { token: bob });
    expect(perms.status).toBe(200);
    expect(perms.body.role).toBe('admin');
    // and may use the role at once
    expect((await invite(t, orgId, bob, emailOf(uniq('next')), 'member')).status).toBe(201);
  });

  it('accept as member role gives member permissions', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('accm');
    const tok = await inviteAndAccept(t, orgId, ownerToken, sub, 'member');
    const perms = await t.request('GET', `/orgs/${orgId}/permissions`, { token: tok });
    expect(perms.status).toBe(200);
    expect(perms.body.role).toBe('member');
  });

  it('the token email is compared after trimming, NFC and lowercasing', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('case');
    await invite(t, orgId, ownerToken, emailOf(sub), 'member');
    const link = await linkFor(t, emailOf(sub));
    const res = await accept(link, await t.token(sub, { email: ` ${emailOf(sub).toUpperCase()} ` }));
    expect(res.status).toBe(200);
  });

  it('needs authentication: no token → 401 unauthenticated, and the link still works afterwards', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('anon');
    await invite(t, orgId, ownerToken, emailOf(sub), 'member');
    const link = await linkFor(t, emailOf(sub));
    expectProblem(await accept(link), 401, 'unauthenticated');
    expectProblem(await decline(link), 401, 'unauthenticated');
    expect((await accept(link, await t.token(sub))).status).toBe(200);
  });

  it('forged or garbled tokens → 404 invitation_not_found (accept and decline)', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('forge');
    await invite(t, orgId, ownerToken, emailOf(sub), 'member');
    const link = await linkFor(t, emailOf(sub));
    const bob = await t.token(sub);
    const forged = [
      'garbage',
      'not.a-token',
      flipSignatureChar(link),
      flipPayloadChar(link),
      link.split('.')[0] + '.' + 'A'.repeat(43),
      Buffer.from(`${orgId}.nope.1`).toString('base64url') + '.' + link.split('.').pop(),
      'x'.repeat(600),
    ];
    for (const bad of forged) {
      expectProblem(await accept(encodeURIComponent(bad), bob), 404, 'invitation_not_found');
      expectProblem(await decline(encodeURIComponent(bad), bob), 404, 'invitation_not_found');
    }
    // the genuine link was not harmed
    expect((await accept(link, bob)).status).toBe(200);
  });

  it('accepted → 410 invitation_used on a second accept and on decline (also for someone else)', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('used');
    await invite(t, orgId, ownerToken, emailOf(sub), 'member');
    const link = await linkFor(t, emailOf(sub));
    const bob = await t.token(sub);
    expect((await accept(link, bob)).status).toBe(200);
    expectProblem(await accept(link, bob), 410, 'invitation_used');
    expectProblem(await decline(link, bob), 410, 'invitation_used');
    // invitation_used comes before email_mismatch
    expectProblem(await accept(link, await t.token(uniq('eve'))), 410, 'invitation_used');
    const org = await t.request('GET', `/orgs/${orgId}`, { token: bob });
    expect(org.body.memberCount).toBe(2);
  });

  it('declined → 204, then 410 invitation_used on accept and decline; the decliner is no member; a new invitation is allowed', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('decl');
    await invite(t, orgId, ownerToken, emailOf(sub), 'member');
    const link = await linkFor(t, emailOf(sub));
    const bob = await t.token(sub);
    const res = await decline(link, bob);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectProblem(await accept(link, bob), 410, 'invitation_used');
    expectProblem(await decline(link, bob), 410, 'invitation_used');
    expectProblem(await t.request('GET', `/orgs/${orgId}`, { token: bob }), 404, 'not_found');
    expect((await t.request('GET', `/orgs/${orgId}`, { token: ownerToken })).body.memberCount).toBe(1);
    expect((await invite(t, orgId, ownerToken, emailOf(sub), 'member')).status).toBe(201);
  });

  it('token email ≠ invitation email → 403 email_mismatch (accept and decline), and the link stays usable', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('mis');
    await invite(t, orgId, ownerToken, emailOf(sub), 'member');
    const link = await linkFor(t, emailOf(sub));
    const eve = await t.token(uniq('eve'));
    expectProblem(await accept(link, eve), 403, 'email_mismatch');
    expectProblem(await decline(link, eve), 403, 'email_mismatch');
    // same sub, other email
    expectProblem(await accept(link, await t.token(sub, { email: `${sub}@other.example.com` })), 403, 'email_mismatch');
    expectProblem(await t.request('GET', `/orgs/${orgId}`, { token: eve }), 404, 'not_found');
    expect((await accept(link, await t.token(sub))).status).toBe(200);
  });

  it('email_verified: false → 403 email_mismatch even with the right email; true or absent is fine', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('unv');
    await invite(t, orgId, ownerToken, emailOf(sub), 'member');
    const link = await linkFor(t, emailOf(sub));
    const unverified = await t.token(sub, { email_verified: false });
    expectProblem(await accept(link, unverified), 403, 'email_mismatch');
    expectProblem(await decline(link, unverified), 403, 'email_mismatch');
    expectProblem(await t.request('GET', `/orgs/${orgId}`, { token: unverified }), 404, 'not_found');
    expect((await accept(link, await t.token(sub, { email_verified: true }))).status).toBe(200);
  });

  it('caller already an active member → 409 already_member', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('dup');
    await inviteAndAccept(t, orgId, ownerToken, sub, 'member');
    // the same user (same sub) is invited under a second address and follows that link
    const second = `${sub}.second@example.com`;
    expect((await invite(t, orgId, ownerToken, second, 'admin')).status).toBe(201);
    const link = await linkFor(t, second);
    const res = await accept(link, await t.token(sub, { email: second }));
    expectProblem(res, 409, 'already_member');
    expectProblem(await decline(link, await t.token(sub, { email: second })), 409, 'already_member');
    expect((await t.request('GET', `/orgs/${orgId}`, { token: ownerToken })).body.memberCount).toBe(2);
    const perms = await t.request('GET', `/orgs/${orgId}/permissions`, { token: await t.token(sub) });
    expect(perms.body.role).toBe('member');
  });

  it('order of checks: revoked before email mismatch', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('ord');
    const inv = await invite(t, orgId, ownerToken, emailOf(sub), 'member');
    const link = await linkFor(t, emailOf(sub));
    expect((await t.request('DELETE', `/orgs/${orgId}/invitations/${inv.body.id}`, { token: ownerToken })).status).toBe(204);
    expectProblem(await accept(link, await t.token(uniq('eve'))), 410, 'invitation_revoked');
    expectProblem(await accept(link, await t.token(sub, { email_verified: false })), 410, 'invitation_revoked');
  });

  it('order of checks: replaced link (expired) before email mismatch', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('ord');
    const inv = await invite(t, orgId, ownerToken, emailOf(sub), 'member');
    const link = await linkFor(t, emailOf(sub));
    expect((await t.request('POST', `/orgs/${orgId}/invitations/${inv.body.id}/resend`, { token: ownerToken })).status).toBe(200);
    expectProblem(await accept(link, await t.token(uniq('eve'))), 410, 'invitation_expired');
  });

  it('order of checks: email mismatch before already_member', async () => {
    const { orgId, ownerToken, members } = await team(t, { members: 1 });
    const sub = uniq('ord');
    await invite(t, orgId, ownerToken, emailOf(sub), 'member');
    const link = await linkFor(t, emailOf(sub));
    expectProblem(await accept(link, members[0].token), 403, 'email_mismatch');
  });
});

describe('concurrency', () => {
  it('twenty parallel accepts of one link: exactly one 200, memberCount grows by exactly 1', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const sub = uniq('race');
    await invite(t, orgId, ownerToken, emailOf(sub), 'member');
    const link = await linkFor(t, emailOf(sub));
    const bob = await t.token(sub);
    const before = (await t.request('GET', `/orgs/${orgId}`, { token: ownerToken })).body.memberCount;
    const results = await Promise.all(Array.from({ length: 20 }, () => accept(link, bob)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) {
      expect([`410 invitation_used`, `409 already_member`]).toContain(`${r.status} ${r.body?.code}`);
    }
    const after = await t.request('GET', `/orgs/${orgId}`, { token: ownerToken });
    expect(after.body.memberCount).toBe(before + 1);
  });

  it('twenty parallel invitations of distinct emails: all 201 and twenty emails', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const emails = Array.from({ length: 20 }, () => emailOf(uniq('par')));
    const results = await Promise.all(emails.map((email) => invite(t, orgId, ownerToken, email, 'member')));
    expect(results.map((r) => r.status)).toEqual(emails.map(() => 201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(20);
    const all = await outbox(t.dataDir);
    for (const email of emails) {
      const mails = all.filter((m) => recipients(m).includes(email));
      expect({ email, count: mails.length }).toEqual({ email, count: 1 });
    }
  });

  it('parallel accept and revoke: one of them wins, and the state agrees with it', async () => {
    for (let round = 0; round < 5; round++) {
      const { orgId, ownerToken } = await createOrg(t);
      const sub = uniq('ar');
      const inv = await invite(t, orgId, ownerToken, emailOf(sub), 'member');
      const link = await linkFor(t, emailOf(sub));
      const bob = await t.token(sub);
      const [acc, rev] = await Promise.all([
        accept(link, bob),
        t.request('DELETE', `/orgs/${orgId}/invitations/${inv.body.id}`, { token: ownerToken }),
      ]);
      const outcome = `${acc.status} ${acc.body?.code ?? ''}|${rev.status} ${rev.body?.code ?? ''}`;
      expect(['200 |409 invitation_not_pending', '410 invitation_revoked|204 ']).toContain(outcome);
      const member = (await t.request('GET', `/orgs/${orgId}`, { token: bob })).status;
      expect(member).toBe(acc.status === 200 ? 200 : 404);
    }
  });

  it('ten parallel invitations of the same email: exactly one 201, the rest 409 invitation_pending', async () => {
    const { orgId, ownerToken } = await createOrg(t);
    const email = emailOf(uniq('same'));
    const results = await Promise.all(Array.from({ length: 10 }, () => invite(t, orgId, ownerToken, email, 'member')));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(`${r.status} ${r.body?.code}`).toBe('409 invitation_pending');
    }
    expect(await mailsTo(t.dataDir, email)).toHaveLength(1);
  });
});

describe('with a custom INVITE_LINK_BASE', () => {
  const base = 'https://team.example.test/join/';
  let c: TestApp;
  beforeAll(async () => {
    c = await startTestApp({ INVITE_LINK_BASE: base });
  });
  afterAll(() => c.close());

  it('the email holds `${INVITE_LINK_BASE}{token}` and that token works', async () => {
    const { orgId, ownerToken } = await createOrg(c);
    const sub = uniq('base');
    expect((await invite(c, orgId, ownerToken, emailOf(sub), 'member')).status).toBe(201);
    const mails = await mailsTo(c.dataDir, emailOf(sub));
    expect(mails).toHaveLength(1);
    expect(recipients(mails[0])).toEqual([emailOf(sub)]);
    expect(mails[0].text).not.toContain(DEFAULT_LINK_BASE);
    const link = tokenIn(mails[0].text, base);
    expect(mails[0].text).toContain(`${base}${link}`);
    expect((await c.request('GET', `/invitations/${link}`)).status).toBe(200);
    const res = await c.request('POST', `/invitations/${link}/accept`, { token: await c.token(sub) });
    expect(res.status).toBe(200);
  });
});

describe('expiry (INVITATION_TTL_SECONDS=1)', () => {
  let e: TestApp;
  beforeAll(async () => {
    e = await startTestApp({ INVITATION_TTL_SECONDS: '1' });
  });
  afterAll(() => e.close());

  it('an expired link → 410 invitation_expired; inviting the same email again is allowed and works', async () => {
    const { orgId, ownerToken } = await createOrg(e);
    const sub = uniq('exp');
    const inv = await invite(e, orgId, ownerToken, emailOf(sub), 'member');
    expect(inv.status).toBe(201);
    expect(Date.parse(inv.body.expiresAt) - Date.parse(inv.body.invitedAt)).toBe(1000);
    const link = await linkFor(e, emailOf(sub));
    await waitUntilPast(inv.body.expiresAt);
    const bob = await e.token(sub);
    expectProblem(await e.request('POST', `/invitations/${link}/accept`, { token: bob }), 410, 'invitation_expired');
    expectProblem(await e.request('POST', `/invitations/${link}/decline`, { token: bob }), 410, 'invitation_expired');
    // expired before email mismatch
    expectProblem(await e.request('POST', `/invitations/${link}/accept`, { token: await e.token(uniq('eve')) }), 410, 'invitation_expired');
    const preview = await e.request('GET', `/invitations/${link}`);
    expect(preview.status).toBe(200);
    expect(preview.body.status).toBe('expired');
    expectProblem(await e.request('GET', `/orgs/${orgId}`, { token: bob }), 404, 'not_found');

    const again = await invite(e, orgId, ownerToken, emailOf(sub), 'admin');
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(inv.body.id);
    expect(again.body.status).toBe('pending');
    const newLink = await linkFor(e, emailOf(sub));
    expect(newLink).not.toBe(link);
    const ok = await e.request('POST', `/invitations/${newLink}/accept`, { token: bob });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ orgId, userId: sub, role: 'admin' });
  });

  it('resend of an expired invitation → 200 pending with a new expiry, and the new link works', async () => {
    const { orgId, ownerToken } = await createOrg(e);
    const sub = uniq('expres');
    const inv = await invite(e, orgId, ownerToken, emailOf(sub), 'member');
    const oldLink = await linkFor(e, emailOf(sub));
    await waitUntilPast(inv.body.expiresAt);
    const res = await e.request('POST', `/orgs/${orgId}/invitations/${inv.body.id}/resend`, { token: ownerToken });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(inv.body.id);
    expect(res.body.status).toBe('pending');
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now() - 100);
    const newLink = await linkFor(e, emailOf(sub));
    expect(newLink).not.toBe(oldLink);
    const bob = await e.token(sub);
    const ok = await e.request('POST', `/invitations/${newLink}/accept`, { token: bob });
    expect(ok.status).toBe(200);
    expectProblem(await e.request('POST', `/invitations/${oldLink}/accept`, { token: bob }), 410, 'invitation_used');
  });

  it('revoke of an expired invitation → 204, then the link answers 410 invitation_revoked', async () => {
    const { orgId, ownerToken } = await createOrg(e);
    const sub = uniq('exprev');
    const inv = await invite(e, orgId, ownerToken, emailOf(sub), 'member');
    const link = await linkFor(e, emailOf(sub));
    await waitUntilPast(inv.body.expiresAt);
    expect((await e.request('DELETE', `/orgs/${orgId}/invitations/${inv.body.id}`, { token: ownerToken })).status).toBe(204);
    expectProblem(await e.request('POST', `/invitations/${link}/accept`, { token: await e.token(sub) }), 410, 'invitation_revoked');
  });
});
