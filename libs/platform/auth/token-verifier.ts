// Bearer JWT verification with jose: HS256 under AUTH_JWT_SECRET, or RS256/ES256 from an identity
// provider's JWKS (AUTH_JWKS_URL, with issuer and audience checks when configured).
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../config/config';
import type { Principal } from './principal';

export class Unauthenticated extends Error {
  readonly code = 'unauthenticated';
}

export type TokenVerifier = (token: string) => Promise<Principal>;

export function tokenVerifier(auth: Config['auth']): TokenVerifier {
  const options = {
    issuer: auth.issuer ?? undefined,
    audience: auth.audience ?? undefined,
    requiredClaims: ['sub', 'exp'],
  };
  const verify = auth.jwksUrl
    ? (() => {
        const jwks = createRemoteJWKSet(new URL(auth.jwksUrl));
        return (token: string) => jwtVerify(token, jwks, { ...options, algorithms: ['RS256', 'ES256'] });
      })()
    : (() => {
        const key = new TextEncoder().encode(auth.jwtSecret!);
        return (token: string) => jwtVerify(token, key, { ...options, algorithms: ['HS256'] });
      })();

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await verify(token));
    } catch {
      throw new Unauthenticated('invalid or expired token');
    }
    return principalOf(payload);
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
