// Writes a history straight into a fresh $DATA_DIR/events.sqlite, in the event store's own format:
// the table is created by the compiled SQLite adapter itself, organization streams are hash-chained
// with the app's own chain() (so the data is genuine: the app continues the chain from the last hash),
// activity streams carry AssetImported / AssetDeployed / AuditRun events as the ingestion handler
// writes them. Member names and emails are deterministic (memberOf), so that the benchmark can aim
// searches and tokens at them without reading anything back.
//
//   node bench/seed.mjs '{"file": ".../events.sqlite", "orgs": [{ "orgId", "prefix", "members", "activity", ... }]}'
// prints { events, seconds } as one JSON line.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const require = createRequire(import.meta.url);

const FIRST = ['Ada', 'Alan', 'Grace', 'Linus', 'Barbara', 'Ken', 'Margaret', 'Dennis', 'Edsger', 'Frances', 'John', 'Radia',
  'Tim', 'Katherine', 'Donald', 'Hedy', 'Niklaus', 'Sophie', 'Bjarne', 'Anita', 'Guido', 'Shafi', 'Leslie', 'Annie', 'Yukihiro',
  'Karen', 'Fernando', 'Jean', 'Brian', 'Mary', 'Rasmus', 'Evelyn', 'James', 'Lynn', 'Robin', 'Joan', 'Whitfield', 'Adele', 'Ivan', 'Carol'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Liskov', 'Thompson', 'Hamilton', 'Ritchie', 'Dijkstra', 'Allen', 'McCarthy',
  'Perlman', 'Berners-Lee', 'Johnson', 'Knuth', 'Lamarr', 'Wirth', 'Wilson', 'Stroustrup', 'Borg', 'Rossum', 'Goldwasser', 'Lamport',
  'Easley', 'Matsumoto', 'Jones', 'Corbato', 'Sammet', 'Kernighan', 'Keller', 'Lerdorf', 'Boyd', 'Gosling', 'Conway', 'Milner',
  'Clarke', 'Diffie', 'Goldberg', 'Sutherland', 'Shaw', 'Backus', 'Naur', 'Hoare', 'Kay', 'Cerf', 'Kahn', 'Engelbart', 'Bartik',
  'Holberton', 'Floyd'];
export const NAME_COMBINATIONS = FIRST.length * LAST.length;

/** Member i of an organization seeded with `prefix` (i = 0 is the Owner). Emails are normalized (lowercase). */
export function memberOf(prefix, i) {
  if (i === 0) return { userId: `${prefix}-owner`, email: `owner@${prefix}.example.com`, name: `Owner of ${prefix}`, role: 'owner' };
  const first = FIRST[i % FIRST.length];
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
  return {
    userId: `${prefix}-${String(i).padStart(6, '0')}`,
    email: `${first}.${last}.${i}@${prefix}.example.com`.toLowerCase(),
    name: `${first} ${last}`,
    role: 'member',
    first,
    last,
  };
}

/**
 * UUIDv7 (RFC 9562: 48-bit ms timestamp, version 7, 12-bit counter, variant, 62 random bits), monotonic
 * within this process. The same format as the app's ids; several times faster than the uuid package,
 * which matters when writing a million events.
 */
let pool = randomBytes(0);
let poolAt = 0;
let lastMs = 0;
let seq = 0;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export function uuidv7() {
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs;
    seq++;
    if (seq > 0xfff) (ms = ++lastMs), (seq = 0);
  } else (lastMs = ms), (seq = 0);
  if (poolAt + 8 > pool.length) (pool = randomBytes(8192)), (poolAt = 0);
  const r = pool.subarray(poolAt, (poolAt += 8));
  const t = ms.toString(16).padStart(12, '0');
  return (
    `${t.slice(0, 8)}-${t.slice(8, 12)}-7${(seq >> 8).toString(16)}${HEX[seq & 0xff]}-` +
    `${HEX[(r[0] & 0x3f) | 0x80]}${HEX[r[1]]}-${HEX[r[2]]}${HEX[r[3]]}${HEX[r[4]]}${HEX[r[5]]}${HEX[r[6]]}${HEX[r[7]]}`
  );
}

export const ACTIVITY_EVENT_TYPES = ['AssetImported', 'AssetDeployed', 'AuditRun'];

/** Deterministic PRNG (mulberry32), so that every run seeds the same history shape. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Creates the events table exactly as the app's adapter does (falls back to a copy of its schema). */
export async function createEventStoreFile(file) {
  try {
    const { openSqliteEventStore } = require('../dist/libs/platform/event-store/sqlite-event-store.js');
    const store = openSqliteEventStore(file);
    await store.close();
  } catch (error) {
    console.error(`bench: could not use the compiled adapter (${error.message}); creating the table by hand`);
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE IF NOT EXISTS events (
      position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, stream_version INTEGER NOT NULL,
      event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
      UNIQUE (stream_id, stream_version))`);
    db.close();
  }
}

const DAY = 86_400_000;

/** The Owner of a seeded org: member 0 of `ownerPrefix` (one user owning several orgs) or of its own prefix. */
const ownerOf = (org) => memberOf(org.ownerPrefix ?? org.prefix, 0);
const actorOf = (org, i) => (i === 0 ? ownerOf(org) : memberOf(org.prefix, i)).userId;

/**
 * spec.orgs[]: { orgId, prefix, ownerPrefix?, name?, members (including the Owner), admins? (members
 * 1..admins are admins), activity? (events on activity-<orgId>), seed? }. Organization streams are written first, then
 * the activity of all organizations in 1000-event blocks, as 1000-item batches would arrive.
 */
export async function seedStore(spec) {
  const started = performance.now();
  const { chain, GENESIS_HASH } = require('../dist/libs/platform/event-store/hash-chain.js');
  await createEventStoreFile(spec.file);
  const db = new Database(spec.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF'); // seeding only; the app reopens it with its own settings
  const insert = db.prepare('INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const insertMany = db.transaction((rows) => {
    for (const r of rows) insert.run(r[0], r[1], r[2], r[3], r[4], r[5]);
  });
  const now = Date.now();
  let total = 0;

  for (const org of spec.orgs) {
    const stream = `organization-${org.orgId}`;
    const owner = ownerOf(org);
    const created = now - 400 * DAY;
    const meta = (actorId, at) => ({
      eventId: uuidv7(),
      actorId,
      occurredAt: new Date(at).toISOString(),
      correlationId: `seed-${org.prefix}`,
      causationId: null,
      schemaVersion: 1,
    });
    let prevHash = GENESIS_HASH;
    let version = 0;
    const flush = (events) => {
      const chained = chain(prevHash, version, events);
      insertMany(chained.map((e, i) => [stream, version + i + 1, e.metadata.eventId, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata)]));
      prevHash = chained[chained.length - 1].metadata.hash;
      version += chained.length;
      total += chained.length;
    };
    let block = [
      { type: 'OrganizationCreated', data: { orgId: org.orgId, name: org.name ?? `Bench ${org.prefix}`, createdBy: owner.userId }, metadata: meta(owner.userId, created) },
      { type: 'MemberJoined', data: { userId: owner.userId, email: owner.email, name: owner.name, role: 'owner', invitationId: null }, metadata: meta(owner.userId, created) },
    ];
    const span = 300 * DAY;
    for (let i = 1; i < org.members; i++) {
      const m = memberOf(org.prefix, i);
      const role = i <= (org.admins ?? 0) ? 'admin' : 'member';
      const at = created + Math.floor((span * i) / org.members);
      block.push({ type: 'MemberJoined', data: { userId: m.userId, email: m.email, name: m.name, role, invitationId: null }, metadata: meta(m.userId, at) });
      if (block.length >= 10_000) {
        flush(block);
        block = [];
      }
    }
    if (block.length) flush(block);
  }

  // Activity: 1000-event blocks, round-robin over the organizations that have some.
  const pending = spec.orgs
    .filter((o) => (o.activity ?? 0) > 0)
    .map((o) => ({ org: o, done: 0, random: prng(o.seed ?? 42) }));
  while (pending.some((p) => p.done < p.org.activity)) {
    for (const p of pending) {
      if (p.done >= p.org.activity) continue;
      const n = Math.min(1000, p.org.activity - p.done);
      const rows = [];
      for (let k = 0; k < n; k++) {
        const seq = p.done + k + 1;
        const actor = actorOf(p.org, Math.floor(p.random() * p.org.members));
        // Recorded in order over the last 90 days (the envelope's occurredAt is the recording time, as the
        // ingestion handler writes it); done up to an hour before it was recorded.
        const recordedAt = now - 90 * DAY + Math.floor((90 * DAY * seq) / p.org.activity);
        const occurredAt = new Date(recordedAt - Math.floor(p.random() * 3_600_000)).toISOString();
        const data = { itemId: `${p.org.prefix}-item-${seq}`, actorId: actor, occurredAt, subject: null };
        const metadata = { eventId: uuidv7(), actorId: actor, occurredAt: new Date(recordedAt).toISOString(), correlationId: `seed-${p.org.prefix}-${Math.ceil(seq / 1000)}`, causationId: null, schemaVersion: 1 };
        rows.push([`activity-${p.org.orgId}`, seq, metadata.eventId, ACTIVITY_EVENT_TYPES[seq % 3], JSON.stringify(data), JSON.stringify(metadata)]);
      }
      insertMany(rows);
      p.done += n;
      total += n;
    }
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { events: total, seconds: (performance.now() - started) / 1000 };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const spec = JSON.parse(process.argv[2]);
  seedStore(spec).then(
    (result) => console.log(JSON.stringify(result)),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
