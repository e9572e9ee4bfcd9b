// Killing the process in the middle of a projection catch-up and starting it again leaves every count
// exactly right: batches and checkpoints commit together, so nothing is applied twice or lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteEventStore } from '../libs/platform/event-store/sqlite-event-store';
import type { NewEvent } from '../libs/platform/event-store/event-store';
import { TEST_JWT_SECRET } from './support/test-app';

const MAIN = join(__dirname, '..', 'dist', 'apps', 'api', 'main.js');
const MEMBERS = ['u1', 'u2', 'u3', 'u4'];
const TYPES = ['AssetImported', 'AssetDeployed', 'AuditRun'] as const;
const COUNTER = { AssetImported: 'imports', AssetDeployed: 'deployments', AuditRun: 'audits' } as const;

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const meta = (actorId: string): NewEvent['metadata'] => ({
  eventId: randomUUID(),
  actorId,
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: 'seed',
  causationId: null,
  schemaVersion: 1,
});

let dataDir: string;
let child: ChildProcess | undefined;

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error('dist is missing: `npm test` builds it before jest (npm run build)');
  dataDir = mkdtempSync(join(tmpdir(), 'team-crash-'));
});
afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

it('recovers exact counts after being killed mid-catch-up', async () => {
  // A history written straight into the store: one org, four members, 60,000 activity items, a tenth of
  // them repeating an earlier item id (those are counted once).
  const store = openSqliteEventStore(join(dataDir, 'events.sqlite'));
  const orgId = 'org-crash';
  const org = `organization-${orgId}`;
  await store.append(org, 0, [
    { type: 'OrganizationCreated', data: { orgId, name: 'Crash', createdBy: 'u1' }, metadata: meta('u1') },
    ...MEMBERS.map((userId, i) => ({
      type: 'MemberJoined',
      data: { userId, email: `${userId}@example.com`, name: userId, role: i === 0 ? 'owner' : 'member', invitationId: null },
      metadata: meta(userId),
    })),
  ]);
  const expected = new Map<string, number>();
  const seen = new Set<string>();
  for (let batch = 0; batch < 60; batch++) {
    const events: NewEvent[] = [];
    for (let i = 0; i < 1000; i++) {
      const n = batch * 1000 + i;
      const itemId = n % 10 === 9 ? `item-${n - 5}` : `item-${n}`;
      const type = TYPES[n % 3];
      const actorId = MEMBERS[n % MEMBERS.length];
      if (!seen.has(itemId)) {
        seen.add(itemId);
        const key = `${actorId}:${COUNTER[type]}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      const occurredAt = new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();
      events.push({ type, data: { itemId, actorId, occurredAt, subject: null }, metadata: meta(actorId) });
    }
    await store.append(`activity-${orgId}`, 'any', events);
  }
  const head = await store.headPosition();
  await store.close();

  const env = { ...process.env, DATA_DIR: dataDir, HOST: '127.0.0.1', AUTH_JWT_SECRET: TEST_JWT_SECRET };
  const checkpoint = () => {
    const file = join(dataDir, 'read.sqlite');
    if (!existsSync(file)) return 0;
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare(`SELECT position FROM checkpoints WHERE projection = 'roster'`).pluck().get() as number | undefined) ?? 0;
    } catch {
      return 0; // the table does not exist yet
    } finally {
      db.close();
    }
  };

  // First run: killed (SIGKILL, no cleanup) once the roster is part way through the history.
  child = spawn(process.execPath, [MAIN], { env: { ...env, PORT: String(await freePort()) }, stdio: 'ignore' });
  const deadline = Date.now() + 60_000;
  let reached = 0;
  while (Date.now() < deadline) {
    reached = checkpoint();
    if (reached > 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGKILL');
  await new Promise((r) => child!.once('exit', r));
  expect(reached).toBeGreaterThan(0);
  const atKill = checkpoint();
  expect(atKill).toBeLessThan(head); // killed mid-catch-up, not after

  // Second run: catches up from the checkpoint, then serves.
  const port = await freePort();
  child = spawn(process.execPath, [MAIN], { env: { ...env, PORT: String(port) }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (Date.now() > deadline) throw new Error('the restarted app did not come up');
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(checkpoint()).toBe(head);

  const db = new Database(join(dataDir, 'read.sqlite'), { readonly: true });
  const rows = db.prepare(`SELECT user_id, imports, deployments, audits FROM roster WHERE org_id = ? AND kind = 'member'`).all(orgId) as Array<Record<string, number | string>>;
  db.close();
  const actual = new Map<string, number>();
  for (const row of rows) for (const c of ['imports', 'deployments', 'audits']) if (Number(row[c]) > 0) actual.set(`${row.user_id}:${c}`, Number(row[c]));
  expect(actual).toEqual(expected);
  child.kill('SIGTERM');
}, 120_000);
