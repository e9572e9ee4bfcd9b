// Bearer JWT verification with jose: HS256 under AUTH_JWT_SECRET, or RS256/ES256 from an identity
// provider's JWKS (AUTH_JWKS_URL, with issuer and audience checks when configured).
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../config/config';
import type { Principal } from './principal';

export class Unauthenticated extends Error {
  readonly code = 'unauthenticated';
}

export type TokenVerifier = (token: string) => Promise<Principal>;

/** How many verified tokens are remembered (oldest forgotten first). */
const CACHE_SIZE = 10_000;

export function tokenVerifier(auth: Config['auth'], options: { now?: () => number } = {}): TokenVerifier {
  const now = options.now ?? Date.now;
  const claims = {
    issuer: auth.issuer ?? undefined,
    audience: auth.audience ?? undefined,
    requiredClaims: ['sub', 'exp'],
  };
  const verify = auth.jwksUrl
    ? (() => {
        const jwks = createRemoteJWKSet(new URL(auth.jwksUrl));
        return (token: string) => jwtVerify(token, jwks, { ...claims, currentDate: new Date(now()), algorithms: ['RS256', 'ES256'] });
      })()
    : (() => {
        const key = new TextEncoder().encode(auth.jwtSecret!);
        return (token: string) => jwtVerify(token, key, { ...claims, currentDate: new Date(now()), algorithms: ['HS256'] });
      })();

  // A client sends the same token with every request: its signature is checked once (WebCrypto, off the
  // event loop and back), and the principal is reused until the token's own expiry. Only the exact
  // token string hits; nothing is kept beyond this process's memory.
  const verified = new Map<string, { principal: Principal; expiresAtMs: number }>();

  return async (token) => {
    const hit = verified.get(token);
    if (hit && hit.expiresAtMs > now()) return hit.principal;
    if (hit) verified.delete(token);
    let payload: JWTPayload;
    try {
      ({ payload } = await verify(token));
    } catch {
      throw new Unauthenticated('invalid or expired token');
    }
    const principal = principalOf(payload);
    if (verified.size >= CACHE_SIZE) verified.delete(verified.keys().next().value!);
    verified.set(token, { principal, expiresAtMs: payload.exp! * 1000 });
    return principal;
  };
}

function principalOf(payload: JWTPayload): Principal {
  const { sub, email, name, email_verified: emailVerified, scope } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) throw new Unauthenticated('invalid sub claim');
  if (typeof email !== 'string' || email.length === 0) throw new Unauthenticated('the token has no email claim');
  return {
    sub,
    email,
    name: typeof name === 'string' && name.trim() ? name.trim() : null,
    emailVerified: typeof emailVerified === 'boolean' ? emailVerified : null,
    scopes: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [],
  };
}
