// Given / when / then for deciders: given past events, when a command, then the new events (or an error).
// Generic on purpose: any event-sourced aggregate with initial/evolve/decide can use it.

export type Decider<S, C, E> = {
  initial: () => S;
  evolve: (state: S, event: E, occurredAt: string) => S;
  decide: (state: S, command: C) => E[];
};

/** The occurredAt of every given event, unless the test gives one with `at(...)`. */
export const GIVEN_OCCURRED_AT = '2026-01-01T00:00:00.000Z';

/** A given event with its own occurredAt, for rules that depend on when something happened. */
export class At<E> {
  constructor(readonly occurredAt: string, readonly event: E) {}
}
export const at = <E>(occurredAt: string, event: E): At<E> => new At(occurredAt, event);

type ErrorClass = abstract new (...args: never[]) => Error;

export function deciderSpec<S, C, E>(decider: Decider<S, C, E>) {
  const apply = (s: S, given: E | At<E>) =>
    given instanceof At ? decider.evolve(s, given.event, given.occurredAt) : decider.evolve(s, given, GIVEN_OCCURRED_AT);
  return {
    given(...history: Array<E | At<E>>) {
      /** A fresh state per assertion, so a test never sees another's mutations. */
      const state = () => history.reduce<S>(apply, decider.initial());
      return {
        state,
        when(command: C) {
          const run = () => decider.decide(state(), command);
          return {
            /** Returns the events, so a test may fold them further. */
            then(expected: E[]): E[] {
              const events = run();
              expect(events).toEqual(expected);
              return events;
            },
            thenNothing(): void {
              expect(run()).toEqual([]);
            },
            /** Fails when nothing is thrown, or when the error is of another class. */
            thenThrows(errorClass: ErrorClass): void {
              expect(run).toThrow(errorClass as unknown as new (...args: unknown[]) => Error);
            },
          };
        },
      };
    },
  };
}
