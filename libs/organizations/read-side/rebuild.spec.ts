// Any read model can be dropped and rebuilt from the events: a random history (seeded) over several
// organizations, projected live while it is written, equals the same models rebuilt from scratch,
// and agrees with the write side's state and with counts computed independently from the events.
import { projectionRunner } from '../../platform/projections/projection-runner';
import { openSqliteReadStore } from '../../platform/read-store/sqlite-read-store';
import type { Actor } from '../domain/actor';
import { effectiveStatus } from '../domain/organization';
import { activityOf } from '../../activity/domain/events';
import { ALL_PROJECTIONS, actor, prng, readFixture, snapshot, type ActivityKind, type ReadFixture } from '../../../test/support/read';

jest.setTimeout(120_000);

const ALL_NAMES = ALL_PROJECTIONS.map((p) => p.name);

const SEED = 20260301;
const TARGET_EVENTS = 3000;

type Gen = {
  h: ReadFixture;
  users: Actor[];
  orgs: string[];
  deleted: Set<string>;
  itemIds: Map<string, Array<{ itemId: string; type: ActivityKind; actorId: string; occurredAt: string }>>;
};

async function generate(h: ReadFixture, seed: number, onStep: (step: number) => Promise<void>): Promise<Gen> {
  const r = prng(seed);
  const users = Array.from({ length: 40 }, (_, i) => actor(`user${String(i).padStart(2, '0')}`, r.chance(0.15) ? null : `${r.pick(['Ann', 'bob', 'Cy', 'Dee', 'eve'])} ${i % 7}`));
  const byId = new Map(users.map((u) => [u.userId, u]));
  const gen: Gen = { h, users, orgs: [], deleted: new Set(), itemIds: new Map() };
  for (let i = 0; i < 6; i++) gen.orgs.push(await h.create(users[i], `Org ${i}`));

  let step = 0;
  while ((await h.store.headPosition()) < TARGET_EVENTS) {
    step++;
    if (r.chance(0.05)) h.advance(r.pick([60_000, 3_600_000, 2 * 86_400_000]));
    const live = gen.orgs.filter((o) => !gen.deleted.has(o));
    const orgId = r.pick(live);
    const state = await h.repo.read(orgId);
    const members = [...state.members.values()];
    const managers = members.filter((m) => m.role !== 'member');
    const manager = byId.get(r.pick(managers).userId)!;
    const invitations = [...state.invitations.values()];
    const open = invitations.filter((i) => ['pending', 'expired'].includes(effectiveStatus(i, h.now())) && state.latestInvitationByEmail.get(i.email) === i.id);
    const pending = invitations.filter((i) => effectiveStatus(i, h.now()) === 'pending');
    const roll = r.next();
    try {
      if (roll < 0.22) {
        const candidates = users.filter((u) => !state.members.has(u.userId) && !state.pendingInvitationByEmail.has(u.email));
        if (candidates.length) {
          const who = r.pick(candidates);
          const email = r.chance(0.2) ? ` ${who.email.toUpperCase()} ` : who.email;
          await h.invite(orgId, manager, email, r.chance(0.3) ? 'admin' : 'member', r.chance(0.25) ? 60 : 7 * 86_400);
        }
      } else if (roll < 0.36) {
        if (pending.length) {
          const inv = r.pick(pending);
          const who = users.find((u) => u.email === inv.email)!;
          if (!state.members.has(who.userId)) {
            if (r.chance(0.85)) await h.accept(orgId, inv.id, who);
            else await h.decline(orgId, inv.id, who);
          }
        }
      } else if (roll < 0.42) {
        const target = r.pick(members.filter((m) => m.role !== 'owner').concat([]));
        if (target) await h.changeRole(orgId, manager, target.userId, target.role === 'admin' ? 'member' : 'admin');
      } else if (roll < 0.44) {
        const admins = members.filter((m) => m.role === 'admin');
        if (admins.length) await h.transfer(orgId, byId.get(state.ownerId)!, r.pick(admins).userId);
      } else if (roll < 0.5) {
        const target = members.filter((m) => m.role !== 'owner');
        if (target.length) {
          const t = r.pick(target);
          if (r.chance(0.5)) await h.remove(orgId, manager, t.userId);
          else await h.leave(orgId, byId.get(t.userId)!);
        }
      } else if (roll < 0.53) {
        if (open.length) await h.revoke(orgId, manager, r.pick(open).id);
      } else if (roll < 0.56) {
        if (open.length) await h.resend(orgId, manager, r.pick(open).id, r.chance(0.5) ? 60 : 7 * 86_400);
      } else if (roll < 0.59) {
        const due = invitations.filter((i) => i.status === 'pending' && effectiveStatus(i, h.now()) === 'expired');
        if (due.length) await h.expire(orgId, r.pick(due).id);
      } else if (roll < 0.6) {
        await h.rename(orgId, byId.get(state.ownerId)!, `Org ${orgId} ${step}`);
      } else if (roll < 0.602 && live.length > 3) {
        await h.deleteOrg(orgId, byId.get(state.ownerId)!);
        gen.deleted.add(orgId);
      } else {
        // a batch of activity by members (and sometimes by someone removed since: a late service report)
        const seen = gen.itemIds.get(orgId) ?? [];
        gen.itemIds.set(orgId, seen);
        const n = 1 + r.int(8);
        const items: Array<{ type: ActivityKind; actorId: string; itemId: string | null; occurredAt: string }> = [];
        for (let k = 0; k < n; k++) {
          if (seen.length && r.chance(0.2)) {
            items.push({ ...r.pick(seen) }); // the same item again (a retry): same id, same time
            continue;
          }
          const type = r.pick(['AssetImported', 'AssetDeployed', 'AuditRun'] as const);
          const actorId = r.pick(members).userId;
          const occurredAt = new Date(h.now().getTime() + (r.int(7200) - 5400) * 1000).toISOString();
          const itemId = r.chance(0.15) ? null : `item-${orgId}-${step}-${k}`;
          items.push({ type, actorId, itemId, occurredAt });
          if (itemId) seen.push({ itemId, type, actorId, occurredAt });
        }
        await h.activity(orgId, items);
      }
    } catch (e) {
      throw new Error(`step ${step} failed: ${(e as Error).message}`, { cause: e });
    }
    await onStep(step);
  }
  return gen;
}

describe('rebuild equals live', () => {
  let h: ReadFixture;
  let gen: Gen;
  let live: ReturnType<typeof snapshot>;

  beforeAll(async () => {
    h = readFixture({ stepMs: 1000 });
    gen = await generate(h, SEED, async (step) => {
      if (step % 5 === 0) await h.catchUp(); // projected live, a few commands at a time
    });
    await h.catchUp();
    live = snapshot(h.db);
  });
  afterAll(() => h.close());

  it('the history is big and varied', async () => {
    const events = await h.store.readAll(0, 100_000);
    expect(events.length).toBeGreaterThanOrEqual(TARGET_EVENTS);
    const types = new Set(events.map((e) => e.type));
    for (const t of ['OrganizationCreated', 'MemberInvited', 'InvitationAccepted', 'InvitationDeclined', 'MemberJoined', 'RoleChanged', 'OwnershipTransferred', 'MemberRemoved', 'MemberLeft', 'InvitationRevoked', 'InvitationResent', 'InvitationExpired', 'AssetImported', 'AssetDeployed', 'AuditRun']) {
      expect({ t, present: types.has(t) }).toEqual({ t, present: true });
    }
    expect(live.roster.length).toBeGreaterThan(20);
    expect(live.roster_seen_items.length).toBeGreaterThan(50);
  });

  it('each projection reset and caught up from scratch gives identical rows in every table', async () => {
    for (const p of ALL_PROJECTIONS) await h.readStore.reset(p.name);
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM roster').get()).toEqual({ n: 0 });
    const rebuild = projectionRunner(h.store, h.readStore, ALL_NAMES, { batchSize: 257 });
    await rebuild.catchUp();
    await rebuild.stop();
    const rebuilt = snapshot(h.db);
    for (const table of Object.keys(live)) {
      expect({ table, rows: rebuilt[table as keyof typeof rebuilt] }).toEqual({ table, rows: live[table as keyof typeof live] });
    }
  });

  it('one projection reset at a time: it is rebuilt, and the others (past their checkpoints) are not applied twice', async () => {
    for (const p of ALL_PROJECTIONS) {
      await h.readStore.reset(p.name);
      const rebuild = projectionRunner(h.store, h.readStore, ALL_NAMES, { batchSize: 101 });
      await rebuild.catchUp();
      await rebuild.stop();
      expect({ reset: p.name, rows: snapshot(h.db) }).toEqual({ reset: p.name, rows: live });
    }
  });

  it('a fresh read database built in one pass gives the same rows', async () => {
    const fresh = openSqliteReadStore(':memory:', ALL_PROJECTIONS);
    try {
      const runner = projectionRunner(h.store, fresh, ALL_NAMES);
      await runner.catchUp();
      await runner.stop();
      expect(snapshot(fresh.db)).toEqual(live);
    } finally {
      await fresh.close();
    }
  });

  it('agrees with the write side: members, roles, member counts and invitations of every organization', async () => {
    for (const orgId of gen.orgs) {
      const state = await h.repo.read(orgId);
      const rows = (await h.roster.list(orgId, { limit: '200' }, new Date(0))).items as any[];
      const org = h.db.prepare('SELECT * FROM org_view WHERE org_id = ?').get(orgId) as any;
      if (gen.deleted.has(orgId)) {
        expect(rows).toEqual([]);
        expect(org).toBeUndefined();
        continue;
      }
      const members = rows.filter((r) => r.kind === 'member').map((r) => [r.userId, r.role, r.email]).sort();
      expect(members).toEqual([...state.members.values()].map((m) => [m.userId, m.role, m.email]).sort());
      expect(org).toMatchObject({ member_count: state.members.size, owner_id: state.ownerId, name: state.name });
      const memberships = h.db.prepare('SELECT user_id, role FROM org_memberships WHERE org_id = ? ORDER BY user_id').all(orgId);
      expect(memberships).toEqual([...state.members.values()].map((m) => ({ user_id: m.userId, role: m.role })).sort((a, b) => a.user_id.localeCompare(b.user_id)));
      // open invitations in the roster: pending or expired, the latest of their email
      const open = [...state.invitations.values()]
        .filter((i) => (i.status === 'pending' || i.status === 'expired') && state.latestInvitationByEmail.get(i.email) === i.id)
        .map((i) => [i.id, i.email, i.status === 'pending' ? 'invited' : 'expired', i.expiresAt])
        .sort();
      expect(rows.filter((r) => r.kind === 'invitation').map((r) => [r.invitationId, r.email, r.status, r.expiresAt]).sort()).toEqual(open);
      const all: any[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await h.lists.invitations(orgId, cursor ? { limit: '7', cursor } : { limit: '7' }, new Date(0));
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(all.map((i) => [i.id, i.status, i.expiresAt]).sort()).toEqual([...state.invitations.values()].map((i) => [i.id, i.status, i.expiresAt]).sort());
    }
  });

  it('counts and lastActiveAt equal those computed independently from the events', async () => {
    const events = await h.store.readAll(0, 100_000);
    const expected = new Map<string, { imports: number; deployments: number; audits: number; last: string }>();
    const seen = new Set<string>();
    const entry = (orgId: string, userId: string) => {
      const key = `${orgId}/${userId}`;
      if (!expected.has(key)) expected.set(key, { imports: 0, deployments: 0, audits: 0, last: '' });
      return expected.get(key)!;
    };
    for (const e of events) {
      const orgId = e.streamId.replace(/^(organization|activity)-/, '');
      const activity = activityOf(e.type);
      if (activity) {
        const d = e.data as { itemId: string | null; actorId: string; occurredAt: string };
        const x = entry(orgId, d.actorId);
        if (x.last < d.occurredAt) x.last = d.occurredAt;
        if (d.itemId) {
          if (seen.has(`${orgId}/${d.itemId}`)) continue;
          seen.add(`${orgId}/${d.itemId}`);
        }
        x[activity.counter]++;
      } else if (e.metadata.actorId && e.type !== 'OrganizationDeleted') {
        const x = entry(orgId, e.metadata.actorId);
        if (x.last < e.metadata.occurredAt) x.last = e.metadata.occurredAt;
      }
    }
    let checked = 0;
    for (const orgId of gen.orgs.filter((o) => !gen.deleted.has(o))) {
      const state = await h.repo.read(orgId);
      for (const m of state.members.values()) {
        const x = expected.get(`${orgId}/${m.userId}`)!;
        expect(await h.roster.member(orgId, m.userId)).toMatchObject({ imports: x.imports, deployments: x.deployments, audits: x.audits, lastActiveAt: x.last || null });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('pages of every sort, walked with a small limit, list each row of the largest roster exactly once and in order', async () => {
    const live = gen.orgs.filter((o) => !gen.deleted.has(o));
    const sizes = await Promise.all(live.map(async (o) => (await h.roster.list(o, { limit: '200' }, h.now())).items.length));
    const orgId = live[sizes.indexOf(Math.max(...sizes))];
    const whole = (await h.roster.list(orgId, { limit: '200' }, h.now())).items;
    for (const sort of ['name', 'email', 'lastActiveAt', 'imports', 'deployments', 'audits']) {
      for (const s of [sort, `-${sort}`]) {
        const all: any[] = [];
        let cursor: string | null = null;
        do {
          const page: any = await h.roster.list(orgId, cursor ? { sort: s, limit: '3', cursor } : { sort: s, limit: '3' }, h.now());
          all.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
        const key = (r: any) => r.userId ?? r.invitationId;
        expect({ s, n: all.length }).toEqual({ s, n: whole.length });
        expect(new Set(all.map(key)).size).toBe(whole.length);
        expect(all).toEqual((await h.roster.list(orgId, { sort: s, limit: '200' }, h.now())).items);
      }
    }
  });
});
