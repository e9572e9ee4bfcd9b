// Invitation links are never stored. A token names the invitation and which send of it, signed with
// HMAC-SHA-256 under the server's secret (256 bits, compared in constant time). A resend bumps the
// send number, so earlier links stop verifying as current without any lookup table.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type InvitationTokenClaims = { orgId: string; invitationId: string; sendNumber: number };

const MAX_TOKEN_LENGTH = 512;
const DOMAIN = 'invitation-link:v1:';

export function invitationTokens(secret: string) {
  const mac = (payload: string) => createHmac('sha256', secret).update(DOMAIN + payload).digest();

  return {
    sign(claims: InvitationTokenClaims): string {
      const payload = `${claims.orgId}.${claims.invitationId}.${claims.sendNumber}`;
      return `${Buffer.from(payload).toString('base64url')}.${mac(payload).toString('base64url')}`;
    },
    /** The claims of a genuine token, or null for anything malformed or forged. */
    verify(token: string): InvitationTokenClaims | null {
      if (token.length > MAX_TOKEN_LENGTH) return null;
      const [encoded, signature, ...rest] = token.split('.');
      if (!encoded || !signature || rest.length > 0) return null;
      const payload = Buffer.from(encoded, 'base64url').toString();
      const expected = mac(payload);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      const [orgId, invitationId, send] = payload.split('.');
      const sendNumber = Number(send);
      if (!orgId || !invitationId || !Number.isSafeInteger(sendNumber) || sendNumber < 1) return null;
      return { orgId, invitationId, sendNumber };
    },
  };
}
export type InvitationTokens = ReturnType<typeof invitationTokens>;
