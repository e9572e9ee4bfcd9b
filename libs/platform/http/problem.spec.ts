// How thrown values become problems: coded errors keep their code, a storage engine that does not
// answer becomes 503 `unavailable` (the real clients' errors, from a port nothing listens on), and
// anything else a bare 500.
import { KurrentDBClient, FORWARDS, START } from '@kurrent/kurrentdb-client';
import { MongoClient } from 'mongodb';
import { ApiError, isEngineUnavailable, toProblem } from './problem';

const CLOSED_PORT = 1; // nothing listens on port 1 here

async function rejection(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('toProblem', () => {
  it('keeps the code and status of a coded error', () => {
    expect(toProblem(new ApiError('forbidden', 'no'))).toMatchObject({ status: 403, code: 'forbidden', detail: 'no' });
  });

  it('turns an unknown error into a 500 that reveals nothing', () => {
    const p = toProblem(new Error('secret connection string mongodb://user:pw@host'));
    expect(p).toMatchObject({ status: 500, code: 'internal', detail: 'internal error' });
    expect(JSON.stringify(p)).not.toContain('pw@');
  });

  it('MongoDB not answering (the driver’s server selection error) → 503 unavailable', async () => {
    const client = new MongoClient(`mongodb://127.0.0.1:${CLOSED_PORT}/x`, { serverSelectionTimeoutMS: 200 });
    const error = await rejection(() => client.db().command({ ping: 1 }));
    await client.close();
    expect(isEngineUnavailable(error)).toBe(true);
    expect(toProblem(error)).toMatchObject({ status: 503, code: 'unavailable' });
  });

  it('EventStoreDB not answering (the client’s UnavailableError) → 503 unavailable', async () => {
    const client = KurrentDBClient.connectionString(`kurrentdb://127.0.0.1:${CLOSED_PORT}?tls=false&defaultDeadline=2000`);
    const error = await rejection(async () => {
      for await (const _ of client.readAll({ maxCount: 1, direction: FORWARDS, fromPosition: START })) break;
    });
    await client.dispose();
    expect(isEngineUnavailable(error)).toBe(true);
    expect(toProblem(error)).toMatchObject({ status: 503, code: 'unavailable' });
  });

  it('other errors with a name or a type are not taken for an unavailable engine', () => {
    expect(isEngineUnavailable(Object.assign(new Error('x'), { type: 'stream-not-found' }))).toBe(false);
    expect(isEngineUnavailable(Object.assign(new Error('x'), { name: 'MongoServerError' }))).toBe(false);
    expect(isEngineUnavailable(null)).toBe(false);
  });
});
