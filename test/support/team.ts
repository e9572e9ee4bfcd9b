// Shared helpers of the team e2e tests: unique users, organizations, invitations and their emails.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApp, TestResponse } from './test-app';
import { outbox, tokenIn, type ReceivedMail } from './outbox';

export const DEFAULT_LINK_BASE = 'http://localhost:3000/invitations/';
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const SEVEN_DAYS_MS = 604800 * 1000;

let counter = 0;
/** A user id no other test uses (also the local part of the default email). */
export const uniq = (prefix = 'u') => `${prefix}${++counter}x${randomBytes(4).toString('hex')}`;
export const emailOf = (sub: string) => `${sub}@example.com`;

export type Org = { id: string; name: string; ownerId: string; memberCount: number; createdAt: string };

export async function createOrg(t: TestApp, ownerSub = uniq('owner'), name = `Org ${ownerSub}`) {
  const ownerToken = await t.token(ownerSub, { name: `Owner ${ownerSub}` });
  const res = await t.request('POST', '/orgs', { token: ownerToken, body: { name } });
  if (res.status !== 201) throw new Error(`POST /orgs answered ${res.status}: ${res.text}`);
  return { orgId: res.body.id as string, org: res.body as Org, ownerSub, ownerToken };
}

export function invite(t: TestApp, orgId: string, byToken: string, email: string, role: string = 'member'): Promise<TestResponse> {
  return t.request('POST', `/orgs/${orgId}/invitations`, { token: byToken, body: { email, role } });
}

/** Mails whose recipients are exactly `email` (parsed addresses, not a substring match). */
export async function mailsTo(dataDir: string, email: string): Promise<ReceivedMail[]> {
  const wanted = email.toLowerCase();
  return (await outbox(dataDir)).filter((m) => recipients(m).some((a) => a === wanted));
}

/** Every address a mail is addressed to (To, Cc, Bcc), lowercased. */
export function recipients(m: ReceivedMail): string[] {
  const list = (field: unknown) => (field ? (Array.isArray(field) ? field : [field]) : []);
  return [...list(m.mail.to), ...list(m.mail.cc), ...list(m.mail.bcc)].flatMap((a: any) =>
    (a.value ?? []).map((v: { address?: string }) => (v.address ?? '').toLowerCase()),
  );
}

export const rawMail = (dataDir: string, m: ReceivedMail) => readFileSync(join(dataDir, 'outbox', m.file), 'utf8');

/** The token of the newest link mailed to `email`. */
export async function linkFor(t: TestApp, email: string, linkBase = DEFAULT_LINK_BASE): Promise<string> {
  const mails = await mailsTo(t.dataDir, email);
  if (mails.length === 0) throw new Error(`no email to ${email} in the outbox`);
  return tokenIn(mails[mails.length - 1].text, linkBase);
}

/** Invites `sub` (default email) with `role`, accepts as `sub`, and answers the member's token. */
export async function inviteAndAccept(t: TestApp, orgId: string, byToken: string, sub: string, role: 'admin' | 'member'): Promise<string> {
  const inv = await invite(t, orgId, byToken, emailOf(sub), role);
  if (inv.status !== 201) throw new Error(`invite ${sub} answered ${inv.status}: ${inv.text}`);
  const link = await linkFor(t, emailOf(sub));
  const token = await t.token(sub, { name: `Name ${sub}` });
  const acc = await t.request('POST', `/invitations/${link}/accept`, { token });
  if (acc.status !== 200) throw new Error(`accept ${sub} answered ${acc.status}: ${acc.text}`);
  return token;
}

/** An org with an owner, admins and members, each with a token. */
export async function team(t: TestApp, counts: { admins?: number; members?: number } = {}) {
  const o = await createOrg(t);
  const admins: { sub: string; token: string }[] = [];
  const members: { sub: string; token: string }[] = [];
  for (let i = 0; i < (counts.admins ?? 0); i++) {
    const sub = uniq('admin');
    admins.push({ sub, token: await inviteAndAccept(t, o.orgId, o.ownerToken, sub, 'admin') });
  }
  for (let i = 0; i < (counts.members ?? 0); i++) {
    const sub = uniq('member');
    members.push({ sub, token: await inviteAndAccept(t, o.orgId, o.ownerToken, sub, 'member') });
  }
  return { ...o, admins, members };
}

/** Asserts an RFC 9457 problem with the given status and code. */
export function expectProblem(res: TestResponse, status: number, code: string) {
  const detail = `${res.status} ${res.text}`;
  expect({ status: res.status, code: res.body?.code, detail }).toEqual({ status, code, detail: expect.any(String) });
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String), code });
}

/** Asserts a 400 validation_failed whose `errors` name `field`. */
export function expectValidation(res: TestResponse, field: string) {
  expectProblem(res, 400, 'validation_failed');
  expect(Array.isArray(res.body.errors)).toBe(true);
  expect(res.body.errors.length).toBeGreaterThan(0);
  for (const e of res.body.errors) expect(e).toEqual({ field: expect.any(String), message: expect.any(String) });
  expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the clock in short steps until it is past `isoOrMs` (+ margin). */
export async function waitUntilPast(isoOrMs: string | number, marginMs = 20) {
  const target = (typeof isoOrMs === 'string' ? Date.parse(isoOrMs) : isoOrMs) + marginMs;
  while (Date.now() <= target) await sleep(Math.min(100, target - Date.now() + 1));
}

/** A token of the same shape whose signature has one character changed (in the middle, not padding bits). */
export function flipSignatureChar(token: string): string {
  const dot = token.lastIndexOf('.');
  const i = dot + 1 + 5;
  const c = token[i];
  return token.slice(0, i) + (c === 'A' ? 'B' : 'A') + token.slice(i + 1);
}

/** A token of the same shape whose payload has one character changed. */
export function flipPayloadChar(token: string): string {
  const i = 3;
  const c = token[i];
  return token.slice(0, i) + (c === 'A' ? 'B' : 'A') + token.slice(i + 1);
}

export const PERMISSIONS = {
  owner: [
    'assets:import',
    'implementations:deploy',
    'audits:run',
    'activity-log:view',
    'stats:view',
    'portals:manage',
    'brand-configs:create',
    'members:manage',
    'roles:change',
    'org-settings:modify',
    'domains:manage',
    'billing:manage',
    'org:delete',
    'ownership:transfer',
  ],
  admin: [
    'assets:import',
    'implementations:deploy',
    'audits:run',
    'activity-log:view',
    'stats:view',
    'portals:manage',
    'brand-configs:create',
    'members:manage',
    'roles:change',
    'org-settings:modify',
    'domains:manage',
  ],
  member: [
    'assets:import',
    'implementations:deploy',
    'audits:run',
    'activity-log:view',
    'stats:view',
    'portals:manage',
    'brand-configs:create',
  ],
} as const;
