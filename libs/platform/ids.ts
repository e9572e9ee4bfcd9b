import { v7 } from 'uuid';

/** Server-generated ids: UUIDv7, time-ordered so that index inserts stay local. */
export const newId = (): string => v7();
