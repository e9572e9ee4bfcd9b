// The HTTP contract's conventions (API.md "Conventions"): authentication, problem+json errors, body
// limits and validation, unknown routes, X-Request-Id, X-Position, the Org answer, restart, DATA_DIR.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { SignJWT, UnsecuredJWT } from 'jose';
import { EMBEDDED_ENGINES, startTestApp, TEST_JWT_SECRET, type TestApp, type TestResponse } from './support/test-app';
import { invitationToken, outbox } from './support/outbox';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function expectProblem(res: TestResponse, status: number, code: string) {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
  expect(res.body).toEqual(
    expect.objectContaining({
      type: expect.any(String),
      title: expect.any(String),
      status,
      detail: expect.any(String),
      code,
    }),
  );
  expect(res.body.type.length).toBeGreaterThan(0);
  expect(res.body.title.length).toBeGreaterThan(0);
}

function errorFields(res: TestResponse): string[] {
  expect(Array.isArray(res.body?.errors)).toBe(true);
  for (const e of res.body.errors) expect(e).toEqual(expect.objectContaining({ field: expect.any(String), message: expect.any(String) }));
  return res.body.errors.map((e: { field: string }) => e.field);
}

const sign = (claims: Record<string, unknown>, secret = TEST_JWT_SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
const inOneHour = () => Math.floor(Date.now() / 1000) + 3600;

/** Creates an org owned by `owner` and makes `sub` an active member with `role` through an invitation. */
async function orgWithMember(t: TestApp, owner: string, sub: string, role: 'admin' | 'member') {
  const ownerToken = await t.token(owner, { name: owner });
  const org = await t.request('POST', '/orgs', { token: ownerToken, body: { name: `Org of ${owner}` } });
  expect(org.status).toBe(201);
  const inv = await t.request('POST', `/orgs/${org.body.id}/invitations`, { token: ownerToken, body: { email: `${sub}@example.com`, role } });
  expect(inv.status).toBe(201);
  const memberToken = await t.token(sub);
  const link = await invitationToken(t.dataDir, `${sub}@example.com`);
  const accepted = await t.request('POST', `/invitations/${link}/accept`, { token: memberToken });
  expect(accepted.status).toBe(200);
  return { orgId: org.body.id as string, ownerToken, memberToken };
}

describe('with one app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('authentication', () => {
    const create = (headers: Record<string, string>) => t.request('POST', '/orgs', { headers, body: { name: 'Acme' } });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    function expectUnauthenticated(res: TestResponse) {
      expectProblem(res, 401, 'unauthenticated');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    }

    it('refuses a request without Authorization', async () => {
      expectUnauthenticated(await create({}));
    });

    it('refuses a Basic Authorization', async () => {
      expectUnauthenticated(await create({ authorization: 'Basic x' }));
      expectUnauthenticated(await create({ authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` }));
    });

    it('refuses "Bearer" without a token', async () => {
      expectUnauthenticated(await create({ authorization: 'Bearer' }));
    });

    it('refuses a garbage token', async () => {
      expectUnauthenticated(await create(bearer('garbage')));
      expectUnauthenticated(await create(bearer('a.b.c')));
    });

    it('refuses a token signed with another secret', async () => {
      const token = await sign({ sub: 'alice', email: 'alice@example.com', exp: inOneHour() }, 'another-secret-another-secret-0123456789');
      expectUnauthenticated(await create(bearer(token)));
    });

    it('refuses an HS256 key used with another algorithm (HS512)', async () => {
      const token = await new SignJWT({ sub: 'alice', email: 'alice@example.com', exp: inOneHour() })
        .setProtectedHeader({ alg: 'HS512' })
        .sign(new TextEncoder().encode(TEST_JWT_SECRET));
      expectUnauthenticated(await create(bearer(token)));
    });

    it('refuses an expired token', async () => {
      const past = Math.floor(Date.now() / 1000) - 3600;
      const token = await sign({ sub: 'alice', email: 'alice@example.com', iat: past - 3600, exp: past });
      expectUnauthenticated(await create(bearer(token)));
    });

    it('refuses a token without exp', async () => {
      const token = await sign({ sub: 'alice', email: 'alice@example.com' });
      expectUnauthenticated(await create(bearer(token)));
    });

    it('refuses a token without email', async () => {
      const token = await sign({ sub: 'alice', exp: inOneHour() });
      expectUnauthenticated(await create(bearer(token)));
    });

    it('refuses a token without sub', async () => {
      const token = await sign({ email: 'alice@example.com', exp: inOneHour() });
      expectUnauthenticated(await create(bearer(token)));
    });

    it('refuses an unsigned token (alg none)', async () => {
      const token = new UnsecuredJWT({ sub: 'alice', email: 'alice@example.com' }).setIssuedAt().setExpirationTime('1h').encode();
      expectUnauthenticated(await create(bearer(token)));
    });

    it('refuses on GET routes too', async () => {
      expectUnauthenticated(await t.request('GET', '/orgs/some-org'));
    });

    it('accepts a valid token (control)', async () => {
      const token = await sign({ sub: 'alice', email: 'alice@example.com', exp: inOneHour() });
      expect((await create(bearer(token))).status).toBe(201);
    });

    it('GET /health needs no token', async () => {
      const res = await t.request('GET', '/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });
  });

  describe('problem+json', () => {
    it('answers every error as {type, title, status, detail, code}, status equal to the HTTP status', async () => {
      const { orgId, ownerToken, memberToken } = await orgWithMember(t, 'pj-owner', 'pj-member', 'member');

      const bad = await t.request('POST', '/orgs', { token: ownerToken, body: {} });
      expectProblem(bad, 400, 'validation_failed');

      expectProblem(await t.request('GET', `/orgs/${orgId}`), 401, 'unauthenticated');

      const forbidden = await t.request('PATCH', `/orgs/${orgId}`, { token: memberToken, body: { name: 'Renamed' } });
      expectProblem(forbidden, 403, 'forbidden');

      expectProblem(await t.request('GET', '/orgs/does-not-exist', { token: ownerToken }), 404, 'not_found');

      const conflict = await t.request('POST', `/orgs/${orgId}/invitations`, { token: ownerToken, body: { email: 'pj-member@example.com', role: 'admin' } });
      expectProblem(conflict, 409, 'already_member');

      const tooLarge = await t.request('POST', '/orgs', { token: ownerToken, body: { name: 'x', pad: 'a'.repeat(200 * 1024) } });
      expectProblem(tooLarge, 413, 'payload_too_large');
    });
  });

  describe('body limits', () => {
    const envelope = Buffer.byteLength(JSON.stringify({ name: 'Acme', pad: '' }));

    it('answers 413 payload_too_large to a JSON body over 100 KiB', async () => {
      const token = await t.token('alice');
      const body = JSON.stringify({ name: 'Acme', pad: 'a'.repeat(100 * 1024 + 1 - envelope) });
      expect(Buffer.byteLength(body)).toBe(100 * 1024 + 1);
      const res = await t.request('POST', '/orgs', { token, body });
      expectProblem(res, 413, 'payload_too_large');
    });

    it('answers 413 to a chunked body over 100 KiB (no Content-Length)', async () => {
      const token = await t.token('alice');
      const bytes = new TextEncoder().encode(JSON.stringify({ name: 'Acme', pad: 'a'.repeat(150 * 1024) }));
      const body = new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 16 * 1024) controller.enqueue(bytes.subarray(i, i + 16 * 1024));
          controller.close();
        },
      });
      const response = await fetch(`${t.url}/orgs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit);
      const text = await response.text();
      expectProblem({ status: response.status, headers: response.headers, body: JSON.parse(text), text }, 413, 'payload_too_large');
    });

    it('reads a body just under 100 KiB (400 for its unknown field, not 413)', async () => {
      const token = await t.token('alice');
      const body = JSON.stringify({ name: 'Acme', pad: 'a'.repeat(100 * 1024 - 16 - envelope) });
      expect(Buffer.byteLength(body)).toBe(100 * 1024 - 16);
      const res = await t.request('POST', '/orgs', { token, body });
      expectProblem(res, 400, 'validation_failed');
      expect(errorFields(res)).toContain('pad');
    });
  });

  describe('validation of POST /orgs', () => {
    let token: string;
    beforeAll(async () => {
      token = await t.token('validator');
    });
    const post = (body: unknown) => t.request('POST', '/orgs', { token, body });

    it('answers 400 validation_failed to malformed JSON', async () => {
      expectProblem(await post('{"name": "Acme"'), 400, 'validation_failed');
      expectProblem(await post('{name: Acme}'), 400, 'validation_failed');
    });

    it('answers 400 validation_failed to a JSON array, a string or null', async () => {
      expectProblem(await post('[{"name": "Acme"}]'), 400, 'validation_failed');
      expectProblem(await post('"Acme"'), 400, 'validation_failed');
      expectProblem(await post('null'), 400, 'validation_failed');
    });

    it('names the missing field', async () => {
      const res = await post({});
      expectProblem(res, 400, 'validation_failed');
      expect(errorFields(res)).toContain('name');
    });

    it('refuses a name of the wrong type', async () => {
      const res = await post({ name: 42 });
      expectProblem(res, 400, 'validation_failed');
      expect(errorFields(res)).toContain('name');
    });

    it('refuses a name of 101 characters', async () => {
      const res = await post({ name: 'a'.repeat(101) });
      expectProblem(res, 400, 'validation_failed');
      expect(errorFields(res)).toContain('name');
    });

    it('refuses an empty or blank name', async () => {
      for (const name of ['', '   ']) {
        const res = await post({ name });
        expectProblem(res, 400, 'validation_failed');
        expect(errorFields(res)).toContain('name');
      }
    });

    it('refuses unknown fields, naming them', async () => {
      const res = await post({ name: 'Acme', plan: 'pro' });
      expectProblem(res, 400, 'validation_failed');
      expect(errorFields(res)).toContain('plan');
    });

    it('accepts a name of 100 characters counted as code points', async () => {
      for (const name of ['é'.repeat(100), '😀'.repeat(100), 'a'.repeat(100)]) {
        const res = await post({ name });
        expect(res.status).toBe(201);
        expect(res.body.name).toBe(name);
      }
    });
  });

  describe('unknown fields on POSTs without a body', () => {
    // API.md: "Unknown JSON fields → 400 validation_failed." These routes take no fields at all.
    it('refuses unknown fields on resend, and does not resend', async () => {
      const alice = await t.token('uf-alice');
      const org = await t.request('POST', '/orgs', { token: alice, body: { name: 'Fields' } });
      const inv = await t.request('POST', `/orgs/${org.body.id}/invitations`, { token: alice, body: { email: 'uf-bob@example.com', role: 'member' } });
      expect(inv.status).toBe(201);
      const res = await t.request('POST', `/orgs/${org.body.id}/invitations/${inv.body.id}/resend`, { token: alice, body: { foo: 1 } });
      expectProblem(res, 400, 'validation_failed');
      expect(errorFields(res)).toContain('foo');
      expect((await outbox(t.dataDir)).filter((m) => m.to.includes('uf-bob@example.com'))).toHaveLength(1);
    });

    it('refuses unknown fields on accept and decline, and leaves the invitation pending', async () => {
      const alice = await t.token('uf-alice');
      const org = await t.request('POST', '/orgs', { token: alice, body: { name: 'Fields' } });
      await t.request('POST', `/orgs/${org.body.id}/invitations`, { token: alice, body: { email: 'uf-carol@example.com', role: 'member' } });
      const carol = await t.token('uf-carol');
      const link = await invitationToken(t.dataDir, 'uf-carol@example.com');
      for (const action of ['accept', 'decline']) {
        const res = await t.request('POST', `/invitations/${link}/${action}`, { token: carol, body: { foo: 1 } });
        expectProblem(res, 400, 'validation_failed');
        expect(errorFields(res)).toContain('foo');
      }
      expect((await t.request('GET', `/invitations/${link}`)).body.status).toBe('pending');
    });

    it('refuses unknown fields on leave, and keeps the member', async () => {
      const { orgId, memberToken } = await orgWithMember(t, 'uf-owner', 'uf-dave', 'member');
      const res = await t.request('POST', `/orgs/${orgId}/leave`, { token: memberToken, body: { foo: 1 } });
      expectProblem(res, 400, 'validation_failed');
      expect(errorFields(res)).toContain('foo');
      expect((await t.request('GET', `/orgs/${orgId}`, { token: memberToken })).status).toBe(200);
    });

    it('refuses unknown fields on the other commands (control)', async () => {
      const { orgId, ownerToken } = await orgWithMember(t, 'uf-owner2', 'uf-erin', 'admin');
      const answers = [
        await t.request('PATCH', `/orgs/${orgId}`, { token: ownerToken, body: { name: 'x', foo: 1 } }),
        await t.request('POST', `/orgs/${orgId}/invitations`, { token: ownerToken, body: { email: 'uf-x@example.com', role: 'member', foo: 1 } }),
        await t.request('PATCH', `/orgs/${orgId}/members/uf-erin`, { token: ownerToken, body: { role: 'member', foo: 1 } }),
        await t.request('POST', `/orgs/${orgId}/ownership-transfer`, { token: ownerToken, body: { newOwnerId: 'uf-erin', foo: 1 } }),
      ];
      for (const res of answers) {
        expectProblem(res, 400, 'validation_failed');
        expect(errorFields(res)).toContain('foo');
      }
    });
  });

  describe('existence is not revealed', () => {
    it('answers a non-member exactly as for an unknown org, on every /orgs/{orgId} route', async () => {
      const alice = await t.token('ex-alice');
      const zed = await t.token('ex-zed');
      const org = await t.request('POST', '/orgs', { token: alice, body: { name: 'Hidden' } });
      const calls = (orgId: string): Array<[string, string, unknown?]> => [
        ['GET', `/orgs/${orgId}`],
        ['PATCH', `/orgs/${orgId}`, { name: 'x' }],
        ['DELETE', `/orgs/${orgId}`],
        ['GET', `/orgs/${orgId}/permissions`],
        ['POST', `/orgs/${orgId}/invitations`, { email: 'ex-q@example.com', role: 'member' }],
        ['POST', `/orgs/${orgId}/leave`],
        ['PATCH', `/orgs/${orgId}/members/ex-alice`, { role: 'admin' }],
        ['DELETE', `/orgs/${orgId}/members/ex-alice`],
        ['POST', `/orgs/${orgId}/ownership-transfer`, { newOwnerId: 'ex-alice' }],
      ];
      const known = calls(org.body.id);
      const unknown = calls('0190a8a4-0000-7000-8000-000000000000');
      for (let i = 0; i < known.length; i++) {
        const [method, path, body] = known[i];
        const a = await t.request(method, path, { token: zed, body });
        const b = await t.request(unknown[i][0], unknown[i][1], { token: zed, body: unknown[i][2] });
        expectProblem(a, 404, 'not_found');
        expect({ call: `${method} ${path}`, body: a.body }).toEqual({ call: `${method} ${path}`, body: b.body });
      }
      expect((await t.request('GET', `/orgs/${org.body.id}`, { token: alice })).status).toBe(200);
    });

    it('answers 404 to every /orgs/{orgId} call after DELETE', async () => {
      const { orgId, ownerToken, memberToken } = await orgWithMember(t, 'del-owner', 'del-member', 'admin');
      expect((await t.request('DELETE', `/orgs/${orgId}`, { token: ownerToken })).status).toBe(204);
      for (const token of [ownerToken, memberToken]) {
        expectProblem(await t.request('GET', `/orgs/${orgId}`, { token }), 404, 'not_found');
        expectProblem(await t.request('PATCH', `/orgs/${orgId}`, { token, body: { name: 'x' } }), 404, 'not_found');
        expectProblem(await t.request('GET', `/orgs/${orgId}/permissions`, { token }), 404, 'not_found');
        expectProblem(await t.request('DELETE', `/orgs/${orgId}`, { token }), 404, 'not_found');
        expectProblem(await t.request('POST', `/orgs/${orgId}/invitations`, { token, body: { email: 'del-x@example.com', role: 'member' } }), 404, 'not_found');
      }
    });
  });

  describe('unknown routes', () => {
    it('answers 404 not_found as problem+json', async () => {
      expectProblem(await t.request('GET', '/no-such-route'), 404, 'not_found');
      const token = await t.token('alice');
      expectProblem(await t.request('GET', '/no/such/route', { token }), 404, 'not_found');
      expectProblem(await t.request('POST', '/no-such-route', { token, body: { a: 1 } }), 404, 'not_found');
    });
  });

  describe('X-Request-Id', () => {
    it('echoes the given X-Request-Id', async () => {
      const res = await t.request('GET', '/health', { headers: { 'x-request-id': 'req-abc-123' } });
      expect(res.headers.get('x-request-id')).toBe('req-abc-123');
      const token = await t.token('alice');
      const created = await t.request('POST', '/orgs', { token, body: { name: 'Acme' }, headers: { 'x-request-id': 'req-create-1' } });
      expect(created.status).toBe(201);
      expect(created.headers.get('x-request-id')).toBe('req-create-1');
    });

    it('echoes it on errors too', async () => {
      const token = await t.token('alice');
      const unauthenticated = await t.request('POST', '/orgs', { body: { name: 'Acme' }, headers: { 'x-request-id': 'req-err-1' } });
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.headers.get('x-request-id')).toBe('req-err-1');
      const malformed = await t.request('POST', '/orgs', { token, body: '{', headers: { 'x-request-id': 'req-err-2' } });
      expect(malformed.status).toBe(400);
      expect(malformed.headers.get('x-request-id')).toBe('req-err-2');
      const tooLarge = await t.request('POST', '/orgs', { token, body: { name: 'x', pad: 'a'.repeat(101 * 1024) }, headers: { 'x-request-id': 'req-err-3' } });
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.headers.get('x-request-id')).toBe('req-err-3');
      const unknown = await t.request('GET', '/no-such-route', { headers: { 'x-request-id': 'req-err-4' } });
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('x-request-id')).toBe('req-err-4');
    });

    it('generates one when absent, a new one per request', async () => {
      const a = await t.request('GET', '/health');
      const b = await t.request('GET', '/health');
      const idA = a.headers.get('x-request-id');
      const idB = b.headers.get('x-request-id');
      expect(idA).toEqual(expect.any(String));
      expect(idA!.length).toBeGreaterThan(0);
      expect(idB).toEqual(expect.any(String));
      expect(idA).not.toBe(idB);
    });
  });

  describe('X-Position', () => {
    function position(res: TestResponse): string {
      const value = res.headers.get('x-position');
      expect(typeof value).toBe('string');
      expect(value!.length).toBeGreaterThan(0);
      return value!;
    }

    it('answers a non-empty X-Position on every successful command, increasing', async () => {
      const alice = await t.token('pos-alice', { name: 'Alice' });
      const bob = await t.token('pos-bob');
      const carol = await t.token('pos-carol');
      const positions: string[] = [];
      const step = async (res: TestResponse, status: number) => {
        expect(res.status).toBe(status);
        positions.push(position(res));
      };

      const org = await t.request('POST', '/orgs', { token: alice, body: { name: 'Positions' } });
      await step(org, 201);
      const orgId = org.body.id;
      await step(await t.request('PATCH', `/orgs/${orgId}`, { token: alice, body: { name: 'Positions 2' } }), 200);
      const invBob = await t.request('POST', `/orgs/${orgId}/invitations`, { token: alice, body: { email: 'pos-bob@example.com', role: 'member' } });
      await step(invBob, 201);
      await step(await t.request('POST', `/orgs/${orgId}/invitations/${invBob.body.id}/resend`, { token: alice }), 200);
      const bobLink = await invitationToken(t.dataDir, 'pos-bob@example.com');
      await step(await t.request('POST', `/invitations/${bobLink}/accept`, { token: bob }), 200);
      await step(await t.request('PATCH', `/orgs/${orgId}/members/pos-bob`, { token: alice, body: { role: 'admin' } }), 200);
      const invCarol = await t.request('POST', `/orgs/${orgId}/invitations`, { token: alice, body: { email: 'pos-carol@example.com', role: 'member' } });
      await step(invCarol, 201);
      await step(await t.request('DELETE', `/orgs/${orgId}/invitations/${invCarol.body.id}`, { token: alice }), 204);
      await t.request('POST', `/orgs/${orgId}/invitations`, { token: alice, body: { email: 'pos-carol@example.com', role: 'member' } });
      const carolLink = await invitationToken(t.dataDir, 'pos-carol@example.com');
      await step(await t.request('POST', `/invitations/${carolLink}/decline`, { token: carol }), 204);
      await step(await t.request('POST', `/orgs/${orgId}/ownership-transfer`, { token: alice, body: { newOwnerId: 'pos-bob' } }), 200);
      await step(await t.request('POST', `/orgs/${orgId}/leave`, { token: alice }), 204);
      await step(await t.request('DELETE', `/orgs/${orgId}`, { token: bob }), 204);

      for (let i = 1; i < positions.length; i++) {
        expect(Number(positions[i])).toBeGreaterThan(Number(positions[i - 1]));
      }
    });

    it('answers X-Position to a command that changes nothing (setting the role a member already has)', async () => {
      const { orgId, ownerToken } = await orgWithMember(t, 'noop-owner', 'noop-member', 'member');
      const res = await t.request('PATCH', `/orgs/${orgId}/members/noop-member`, { token: ownerToken, body: { role: 'member' } });
      expect(res.status).toBe(200);
      position(res);
    });
  });

  describe('organizations', () => {
    it('POST /orgs answers 201 Org, and the owner reads the same Org', async () => {
      const alice = await t.token('org-alice');
      const res = await t.request('POST', '/orgs', { token: alice, body: { name: '  Acme Inc  ' } });
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toMatch(/^application\/json\b/);
      expect(res.body).toEqual({ id: expect.any(String), name: 'Acme Inc', ownerId: 'org-alice', memberCount: 1, createdAt: expect.any(String) });
      expect(res.body.id.length).toBeGreaterThan(0);
      expect(res.body.createdAt).toMatch(ISO_UTC);
      expect(Math.abs(Date.parse(res.body.createdAt) - Date.now())).toBeLessThan(60_000);

      const read = await t.request('GET', `/orgs/${res.body.id}`, { token: alice });
      expect(read.status).toBe(200);
      expect(read.body).toEqual(res.body);
    });

    it('two orgs get different ids', async () => {
      const alice = await t.token('org-alice');
      const a = await t.request('POST', '/orgs', { token: alice, body: { name: 'Same' } });
      const b = await t.request('POST', '/orgs', { token: alice, body: { name: 'Same' } });
      expect(a.status).toBe(201);
      expect(b.status).toBe(201);
      expect(a.body.id).not.toBe(b.body.id);
    });

    it('GET /orgs/:id by a non-member → 404 not_found; an unknown id → 404', async () => {
      const alice = await t.token('org-alice');
      const mallory = await t.token('org-mallory');
      const org = await t.request('POST', '/orgs', { token: alice, body: { name: 'Private' } });
      expectProblem(await t.request('GET', `/orgs/${org.body.id}`, { token: mallory }), 404, 'not_found');
      expectProblem(await t.request('GET', `/orgs/${org.body.id}/permissions`, { token: mallory }), 404, 'not_found');
      expectProblem(await t.request('GET', '/orgs/0190a8a4-0000-7000-8000-000000000000', { token: alice }), 404, 'not_found');
      expectProblem(await t.request('GET', '/orgs/unknown-org', { token: alice }), 404, 'not_found');
    });
  });
});

describe('restart on the same DATA_DIR', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'team-e2e-restart-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps orgs, members and working invitation links', async () => {
    const first = await startTestApp({}, dataDir);
    let orgId: string;
    try {
      const { orgId: id } = await orgWithMember(first, 'rs-alice', 'rs-bob', 'admin');
      orgId = id;
      const alice = await first.token('rs-alice', { name: 'rs-alice' });
      const inv = await first.request('POST', `/orgs/${orgId}/invitations`, { token: alice, body: { email: 'rs-carol@example.com', role: 'member' } });
      expect(inv.status).toBe(201);
    } finally {
      await first.close();
    }

    const second = await startTestApp({}, dataDir);
    try {
      const alice = await second.token('rs-alice');
      const bob = await second.token('rs-bob');
      const carol = await second.token('rs-carol');
      const org = await second.request('GET', `/orgs/${orgId}`, { token: alice });
      expect(org.status).toBe(200);
      expect(org.body).toMatchObject({ id: orgId, name: 'Org of rs-alice', ownerId: 'rs-alice', memberCount: 2 });
      const bobPermissions = await second.request('GET', `/orgs/${orgId}/permissions`, { token: bob });
      expect(bobPermissions.status).toBe(200);
      expect(bobPermissions.body.role).toBe('admin');

      const link = await invitationToken(dataDir, 'rs-carol@example.com');
      expect((await second.request('GET', `/invitations/${link}`)).body).toMatchObject({ orgId, status: 'pending', role: 'member' });
      const accepted = await second.request('POST', `/invitations/${link}/accept`, { token: carol });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toEqual({ orgId, userId: 'rs-carol', role: 'member' });
      expect((await second.request('GET', `/orgs/${orgId}`, { token: alice })).body.memberCount).toBe(3);
    } finally {
      await second.close();
    }
  });
});

describe('DATA_DIR', () => {
  let parent: string;
  let dataDir: string;
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'team-e2e-datadir-'));
    dataDir = join(parent, 'data');
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  function filesUnder(dir: string): string[] {
    return readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
  }

  it('holds everything the app writes', async () => {
    const cwdDataExisted = existsSync(join(process.cwd(), 'data'));
    const t = await startTestApp(EMBEDDED_ENGINES, dataDir); // the embedded engines' files
    try {
      const alice = await t.token('dd-alice');
      const org = await t.request('POST', '/orgs', { token: alice, body: { name: 'Data' }, headers: { 'idempotency-key': 'dd-1' } });
      expect(org.status).toBe(201);
      const inv = await t.request('POST', `/orgs/${org.body.id}/invitations`, { token: alice, body: { email: 'dd-bob@example.com', role: 'member' } });
      expect(inv.status).toBe(201);
      expect(await outbox(dataDir)).toHaveLength(1);
    } finally {
      await t.close();
    }
    expect(readdirSync(parent)).toEqual(['data']);
    const files = filesUnder(dataDir).map((f) => relative(dataDir, f));
    expect(files.some((f) => /event/i.test(f))).toBe(true);
    expect(files.some((f) => /idempot/i.test(f))).toBe(true);
    expect(files.some((f) => f.startsWith('outbox/') && f.endsWith('.eml'))).toBe(true);
    expect(files.some((f) => f.startsWith('secrets/'))).toBe(true);
    if (!cwdDataExisted) expect(existsSync(join(process.cwd(), 'data'))).toBe(false);
  });
});
