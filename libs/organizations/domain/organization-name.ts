import { InvalidInput } from './errors';

export const MAX_NAME_LENGTH = 100;

/** 1 to 100 characters once surrounding whitespace is trimmed. */
export function requireName(raw: string): string {
  const name = raw.trim().normalize('NFC');
  if (name.length < 1 || [...name].length > MAX_NAME_LENGTH) {
    throw new InvalidInput('name', `must be 1 to ${MAX_NAME_LENGTH} characters`);
  }
  return name;
}
