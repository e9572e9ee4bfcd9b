import { at, deciderSpec, GIVEN_OCCURRED_AT } from './decider';

// A toy decider: a counter that refuses to go below zero and remembers when it last changed.
type Event = { type: 'Added'; by: number };
type Command = { type: 'Add'; by: number };
type State = { total: number; lastAt: string | null };
class WouldGoNegative extends Error {}

const counter = deciderSpec<State, Command, Event>({
  initial: () => ({ total: 0, lastAt: null }),
  evolve: (s, e, occurredAt) => ({ total: s.total + e.by, lastAt: occurredAt }),
  decide: (s, c) => {
    if (s.total + c.by < 0) throw new WouldGoNegative();
    return c.by === 0 ? [] : [{ type: 'Added', by: c.by }];
  },
});
const added = (by: number): Event => ({ type: 'Added', by });

describe('deciderSpec', () => {
  it('folds the given events, then compares the decided events', () => {
    const events = counter.given(added(2)).when({ type: 'Add', by: -2 }).then([added(-2)]);
    expect(events).toEqual([added(-2)]);
  });

  it('thenNothing passes on no events and fails on some', () => {
    counter.given().when({ type: 'Add', by: 0 }).thenNothing();
    expect(() => counter.given().when({ type: 'Add', by: 1 }).thenNothing()).toThrow();
  });

  it('thenThrows passes on the error class, and fails when nothing or another error is thrown', () => {
    counter.given(added(1)).when({ type: 'Add', by: -2 }).thenThrows(WouldGoNegative);
    expect(() => counter.given().when({ type: 'Add', by: 1 }).thenThrows(WouldGoNegative)).toThrow();
    expect(() => counter.given().when({ type: 'Add', by: -1 }).thenThrows(TypeError)).toThrow();
  });

  it('then fails on different events', () => {
    expect(() => counter.given().when({ type: 'Add', by: 1 }).then([added(2)])).toThrow();
  });

  it('gives events a fixed occurredAt unless placed with at()', () => {
    expect(counter.given(added(1)).state().lastAt).toBe(GIVEN_OCCURRED_AT);
    expect(counter.given(added(1), at('2030-05-05T00:00:00.000Z', added(1))).state()).toEqual({
      total: 2,
      lastAt: '2030-05-05T00:00:00.000Z',
    });
  });

  it('folds a fresh state for every assertion', () => {
    const given = counter.given(added(1));
    given.when({ type: 'Add', by: -1 }).then([added(-1)]);
    expect(given.state()).not.toBe(given.state());
  });
});
