import { isAcceptableEmail, isValidEmail, MAX_EMAIL_LENGTH, normalizeEmail, requireEmail } from './email';
import { InvalidInput } from './errors';

/** An address of exactly `length` characters: a 64-character local part and labels of at most 63. */
const emailOfLength = (length: number) => {
  const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(length - 64 - 1 - 63 - 1 - 63 - 1 - 4)}.com`;
  return `${'a'.repeat(64)}@${domain}`;
};

describe('email', () => {
  describe('normalizeEmail', () => {
    it('trims, applies NFC and lowercases', () => {
      expect(normalizeEmail('  Jose\u0301@EXAMPLE.com\t')).toBe('jos\u00e9@example.com');
    });

    it('gives one form for the composed and decomposed spellings', () => {
      expect(normalizeEmail('JOS\u00c9@x.com')).toBe(normalizeEmail('jose\u0301@X.COM'));
    });
  });

  describe('requireEmail', () => {
    it('returns the normalized address', () => {
      expect(requireEmail(' Ivy.Smith+team@Example.CO.uk ')).toBe('ivy.smith+team@example.co.uk');
    });

    it.each([
      'ivy@example.com',
      'i@x.io',
      'first.last@sub.example.com',
      "o'brien@example.com",
      'ivy+tag@example.com',
      'jos\u00e9@b\u00fccher.de',
      'ivy@xn--bcher-kva.de',
      'ivy@my-host.example',
    ])('accepts %p', (email) => {
      expect(requireEmail(email)).toBe(email);
    });

    it(`accepts ${MAX_EMAIL_LENGTH} characters and rejects ${MAX_EMAIL_LENGTH + 1}`, () => {
      expect(MAX_EMAIL_LENGTH).toBe(254);
      expect(emailOfLength(254)).toHaveLength(254);
      expect(requireEmail(emailOfLength(254))).toBe(emailOfLength(254));
      expect(() => requireEmail(emailOfLength(255))).toThrow(InvalidInput);
    });

    it.each([
      ['a display name', 'Bob <b@x.com>'],
      ['angle brackets only', '<b@x.com>'],
      ['a quoted display name', '"Bob" b@x.com'],
      ['a list with a comma', 'a@x.com,b@x.com'],
      ['a list with comma and space', 'a@x.com, b@x.com'],
      ['a list with a semicolon', 'a@x.com;b@x.com'],
      ['a comma in the local part', 'a,b@x.com'],
      ['CR/LF inside', 'a@x.com\r\nBcc: evil@x.com'],
      ['a CR inside', 'a\r@x.com'],
      ['a LF inside', 'a@x\n.com'],
      ['a trailing CR/LF', 'a@x.com\r\n'],
      ['a leading LF', '\na@x.com'],
      ['a space inside', 'a b@x.com'],
      ['a tab inside', 'a\tb@x.com'],
      ['no @', 'ivy.example.com'],
      ['two @', 'a@b@x.com'],
      ['a fullwidth ＠', 'ivy\uFF20example.com'],
      ['a fullwidth ＠ beside an ASCII @', 'ivy\uFF20a@example.com'],
      ['a small commercial at ﹫', 'ivy\uFE6Bexample.com'],
      ['nothing before @', '@x.com'],
      ['nothing after @', 'ivy@'],
      ['a domain without a dot', 'ivy@localhost'],
      ['an empty domain label', 'ivy@x..com'],
      ['a trailing dot in the domain', 'ivy@x.com.'],
      ['a domain label starting with a hyphen', 'ivy@-x.com'],
      ['a local part starting with a dot', '.ivy@x.com'],
      ['a local part ending with a dot', 'ivy.@x.com'],
      ['two dots in the local part', 'i..vy@x.com'],
      ['a 65-character local part', `${'a'.repeat(65)}@x.com`],
      ['a 64-character domain label', `ivy@${'b'.repeat(64)}.com`],
      ['an empty string', ''],
      ['only spaces', '   '],
      ['more than 254 characters', emailOfLength(300)],
    ])('rejects %s → InvalidInput on the field', (_, email) => {
      expect(() => requireEmail(email)).toThrow(InvalidInput);
      expect(() => requireEmail(email, 'newEmail')).toThrow(expect.objectContaining({ field: 'newEmail' }));
    });
  });

  describe('isAcceptableEmail (raw input, as the HTTP layer may check it)', () => {
    it.each([
      [' Ivy@Example.com ', true],
      ['Bob <b@x.com>', false],
      ['a@x.com\r\n', false],
      ['ivy\uFF20example.com', false],
    ])('%p → %p', (raw, expected) => {
      expect(isAcceptableEmail(raw)).toBe(expected);
    });
  });

  describe('isValidEmail', () => {
    it('works on the normalized form only (upper case is for normalizeEmail to fix)', () => {
      expect(isValidEmail('ivy@example.com')).toBe(true);
      expect(isValidEmail(normalizeEmail('  IVY@EXAMPLE.COM '))).toBe(true);
    });
  });
});

describe('invisible and control characters', () => {
  it.each([
    ['NUL', 'a\u0000b@example.com'],
    ['next line U+0085', 'a\u0085b@example.com'],
    ['zero-width space', 'a\u200bb@example.com'],
    ['right-to-left override', 'a\u202eb@example.com'],
    ['no-break space in the domain', 'ab@exa\u00a0mple.com'],
  ])('rejects %s', (_name, raw) => {
    expect(isAcceptableEmail(raw)).toBe(false);
  });
});
