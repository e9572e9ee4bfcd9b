// Issues HS256 tokens for trying the API locally and for tests; production tokens come from the
// identity provider.
import { SignJWT } from 'jose';

export type TokenClaims = { sub: string; email: string; name?: string; email_verified?: boolean; scope?: string };

export function signToken(secret: string, claims: TokenClaims, expiresIn: string | number = '1h'): Promise<string> {
  const { sub, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
