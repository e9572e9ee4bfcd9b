// The storage baseline: raw better-sqlite3 inserts of activity events, exactly the rows the app stores
// (stream `activity-<orgId>`, consecutive stream versions, a UUIDv7 event id, the same JSON data and
// metadata), into a fresh file whose table the app's own adapter created (same schema, same pragmas:
// WAL, synchronous=NORMAL), in transactions of `batch` rows.
//
// Timed: only the transactions (prepared INSERT of ready strings + COMMIT). Each batch's rows are built
// before its transaction starts, so the figure is what the storage engine itself can do.
//
//   node bench/raw-insert.mjs '{"file": ".../events.sqlite", "rows": 200000, "batch": 1000}'
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { createEventStoreFile, uuidv7 } from './seed.mjs';

const config = JSON.parse(process.argv[2]);
const { file, rows: total, batch = 1000 } = config;
const orgId = config.orgId ?? uuidv7();
const actors = Array.from({ length: 1000 }, (_, i) => `raw-${String(i).padStart(6, '0')}`);
const types = ['AssetImported', 'AssetDeployed', 'AuditRun'];

await createEventStoreFile(file);
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
const insert = db.prepare('INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
const insertMany = db.transaction((rows) => {
  for (const r of rows) insert.run(r[0], r[1], r[2], r[3], r[4], r[5]);
});

let insertMs = 0;
const wallStart = performance.now();
const stream = `activity-${orgId}`;
for (let done = 0; done < total; ) {
  const n = Math.min(batch, total - done);
  const now = new Date().toISOString();
  const rows = new Array(n);
  for (let k = 0; k < n; k++) {
    const seq = done + k + 1;
    const actorId = actors[(seq * 7919) % actors.length];
    const data = { itemId: `raw-item-${seq}`, actorId, occurredAt: now, subject: null };
    const metadata = { eventId: uuidv7(), actorId, occurredAt: now, correlationId: uuidv7(), causationId: null, schemaVersion: 1 };
    rows[k] = [stream, seq, metadata.eventId, types[seq % 3], JSON.stringify(data), JSON.stringify(metadata)];
  }
  const t0 = performance.now();
  insertMany(rows);
  insertMs += performance.now() - t0;
  done += n;
}
const wallMs = performance.now() - wallStart;
db.close();
if (!config.keep) rmSync(file, { force: true }), rmSync(`${file}-wal`, { force: true }), rmSync(`${file}-shm`, { force: true });
console.log(JSON.stringify({ rows: total, batch, insertSeconds: insertMs / 1000, eventsPerSecond: total / (insertMs / 1000), wallEventsPerSecond: total / (wallMs / 1000) }));
