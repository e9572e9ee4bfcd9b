export const ROSTER_QUERIES = Symbol('RosterQueries');
export const LIST_QUERIES = Symbol('ListQueries');
