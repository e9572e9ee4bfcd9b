// Bearer tokens: HS256 under the configured secret, with sub and exp required; a verified token is
// remembered until its own expiry, and never past it.
import { SignJWT } from 'jose';
import { signToken } from './sign-token';
import { tokenVerifier, Unauthenticated } from './token-verifier';

const SECRET = 'verifier-test-secret-verifier-test-secret-0123';
const auth = { jwtSecret: SECRET, jwksUrl: null, issuer: null, audience: null };

describe('tokenVerifier', () => {
  it('answers the principal of a valid token, and the same principal when the token comes again', async () => {
    const verify = tokenVerifier(auth);
    const token = await signToken(SECRET, { sub: 'ann', email: 'ann@example.com', name: ' Ann ', scope: 'a b' });
    const first = await verify(token);
    expect(first).toEqual({ sub: 'ann', email: 'ann@example.com', name: 'Ann', emailVerified: null, scopes: ['a', 'b'] });
    expect(await verify(token)).toEqual(first);
  });

  it('refuses a token signed with another secret, also after a valid one was remembered', async () => {
    const verify = tokenVerifier(auth);
    const good = await signToken(SECRET, { sub: 'ann', email: 'ann@example.com' });
    await verify(good);
    const forged = await signToken('another-secret-another-secret-another-1234', { sub: 'ann', email: 'ann@example.com' });
    await expect(verify(forged)).rejects.toBeInstanceOf(Unauthenticated);
    // Same header and payload, tampered signature: not the remembered string, so checked and refused.
    await expect(verify(`${good.slice(0, -2)}${good.endsWith('AA') ? 'BB' : 'AA'}`)).rejects.toBeInstanceOf(Unauthenticated);
  });

  it('stops accepting a remembered token once it expires', async () => {
    let clock = Date.now();
    const verify = tokenVerifier(auth, { now: () => clock });
    const token = await signToken(SECRET, { sub: 'ann', email: 'ann@example.com' }, '60s');
    await verify(token);
    clock += 59_000;
    await expect(verify(token)).resolves.toMatchObject({ sub: 'ann' });
    clock += 2_000;
    await expect(verify(token)).rejects.toBeInstanceOf(Unauthenticated);
  });

  it('refuses a token without exp, without sub, or without email', async () => {
    const verify = tokenVerifier(auth);
    const key = new TextEncoder().encode(SECRET);
    const noExp = await new SignJWT({ email: 'a@example.com' }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').sign(key);
    const noSub = await new SignJWT({ email: 'a@example.com' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);
    const noEmail = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setExpirationTime('1h').sign(key);
    for (const token of [noExp, noSub, noEmail]) await expect(verify(token)).rejects.toBeInstanceOf(Unauthenticated);
  });
});
