// One email address, as API.md defines it. Comparisons use the normalized form everywhere.
import { InvalidInput } from './errors';

export const MAX_EMAIL_LENGTH = 254;

/** Trimmed, Unicode NFC, lowercased: the form stored in events and compared. */
export const normalizeEmail = (raw: string) => raw.trim().normalize('NFC').toLowerCase();

// local@domain, exactly one ASCII '@', no whitespace, no display name ("Bob <b@x>"), no list (',' ';'),
// no quotes or angle brackets, and a domain of dot-separated labels.
const LOCAL = /^[^\s@\uFF20\uFE6B,;:<>()[\]"\\]+$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u;

export function isValidEmail(normalized: string): boolean {
  if (normalized.length === 0 || normalized.length > MAX_EMAIL_LENGTH) return false;
  // Control, format (zero-width, bidi overrides) and separator characters hide what an address says.
  if (/[\p{C}\p{Z}]/u.test(normalized)) return false;
  const at = normalized.indexOf('@');
  if (at <= 0 || at !== normalized.lastIndexOf('@')) return false;
  const local = normalized.slice(0, at);
  const domain = normalized.slice(at + 1);
  if (local.length > 64 || !LOCAL.test(local) || local.startsWith('.') || local.endsWith('.')) return false;
  if (local.includes('..')) return false;
  const labels = domain.split('.');
  return labels.length >= 2 && labels.every((label) => label.length <= 63 && DOMAIN_LABEL.test(label));
}

/** Whether raw input is one acceptable address. CR/LF anywhere, even where trimming would hide it,
 * is a header-injection attempt. */
export const isAcceptableEmail = (raw: string) => !/[\r\n]/.test(raw) && isValidEmail(normalizeEmail(raw));

/** Normalizes and validates, or throws validation_failed naming the field. */
export function requireEmail(raw: string, field = 'email'): string {
  if (!isAcceptableEmail(raw)) throw new InvalidInput(field, 'must be a single email address');
  return normalizeEmail(raw);
}
