// The MongoDB read store (MONGODB_URL): every projection's collections and their checkpoints in one
// database. A batch and its checkpoints commit in one multi-document transaction, so a crash mid-batch
// leaves each model exactly at its last checkpoint. MongoDB runs transactions on replica sets only (a
// one-node replica set is enough).
import { MongoClient, MongoServerError } from 'mongodb';
import type { MongoProjection, MongoReadStore } from './read-store';

type Checkpoint = { _id: string; position: number };

/** The database named in the URL's path; the driver's default ('test') is not ours. */
function databaseName(url: string): string {
  // Not `new URL()`: a MongoDB URL may list several hosts (h1:27017,h2:27017), which it refuses.
  const path = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(url)?.[1];
  return path ? decodeURIComponent(path) : 'team_management';
}

// A standalone server answers a transaction with IllegalOperation (20): "Transaction numbers are only
// allowed on a replica set member or mongos".
const refusesTransactions = (error: unknown) =>
  error instanceof MongoServerError && (error.code === 20 || /replica set/i.test(error.message));

export function openMongoReadStore(url: string, projections: MongoProjection[]): MongoReadStore {
  // Not connected here: the driver connects on first use, so the service starts while MongoDB is
  // down, and /ready reports it.
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
  const db = client.db(databaseName(url));
  const checkpoints = db.collection<Checkpoint>('checkpoints');
  const projectionNamed = (name: string) => {
    const p = projections.find((q) => q.name === name);
    if (!p) throw new Error(`unknown projection ${name}`);
    return p;
  };

  // Created once, before the first write; a failure (MongoDB down) is retried by the next call.
  let indexes: Promise<void> | undefined;
  const ensureIndexes = () =>
    (indexes ??= (async () => {
      for (const p of projections) await p.createIndexes(db);
    })().catch((error: unknown) => {
      indexes = undefined;
      throw error;
    }));

  return {
    engine: 'mongodb',
    db,
    async applyBatch(names, events, from = 0) {
      if (events.length === 0) return true;
      const selected = names.map(projectionNamed);
      await ensureIndexes();
      const last = events[events.length - 1].position;
      const session = client.startSession();
      let complete = true;
      try {
        // The callback may run again (transient errors): everything it depends on is read inside it.
        await session.withTransaction(async () => {
          complete = true;
          // Re-reads each checkpoint inside the transaction: another runner (a rebuild) may have moved it.
          for (const projection of selected) {
            const checkpoint = (await checkpoints.findOne({ _id: projection.name }, { session }))?.position ?? 0;
            if (checkpoint < from) {
              complete = false; // reset meanwhile: the caller reads again from the checkpoint
              continue;
            }
            for (const event of events) if (event.position > checkpoint) await projection.apply(db, session, event);
            await checkpoints.updateOne({ _id: projection.name }, { $set: { position: Math.max(checkpoint, last) } }, { upsert: true, session });
          }
        });
      } catch (error) {
        if (refusesTransactions(error)) {
          throw new Error('MONGODB_URL must point at a replica set (a one-node replica set is fine): the read store needs transactions', { cause: error });
        }
        throw error;
      } finally {
        await session.endSession();
      }
      return complete;
    },
    checkpoint: async (name) => (await checkpoints.findOne({ _id: name }))?.position ?? 0,
    async lowestCheckpoint(names) {
      if (names.length === 0) return 0;
      const stored = new Map((await checkpoints.find({ _id: { $in: names } }).toArray()).map((c) => [c._id, c.position]));
      return Math.min(...names.map((name) => stored.get(name) ?? 0));
    },
    setCheckpoint: async (name, position) => void (await checkpoints.updateOne({ _id: name }, { $set: { position } }, { upsert: true })),
    // Not atomic as on SQLite: MongoDB cannot drop collections inside a transaction.
    async reset(name) {
      const projection = projectionNamed(name);
      await ensureIndexes();
      // drop() answers false for a collection that does not exist (the driver ignores NamespaceNotFound, 26).
      for (const collection of projection.collections) await db.collection(collection).drop();
      await checkpoints.deleteOne({ _id: name });
      await projection.createIndexes(db);
    },
    ping: async () => void (await db.command({ ping: 1 })),
    close: () => client.close(),
  };
}
