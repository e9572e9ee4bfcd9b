// The service's rate limits (API.md "Invitations").
import type { RateLimitPolicy } from './rate-limit.guard';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** INVITES_PER_HOUR invitations plus resends per organization. Every authenticated attempt counts,
 * before the command runs (also one that is then refused), so that retries cannot outrun the limit. */
export const INVITATIONS_PER_ORGANIZATION: RateLimitPolicy = {
  name: 'invitations',
  limit: (config) => config.invitesPerHour,
  windowMs: HOUR,
  key: (request) => (request.params as { orgId: string }).orgId,
  detail: 'this organization has sent as many invitations and resends as it may this hour; try again later',
};

/** INVITATION_LINK_REQUESTS_PER_MINUTE requests per client address on the routes addressed by an
 * invitation link's token (preview, accept, decline): guessing tokens gets nowhere fast. */
export const INVITATION_LINK_PER_ADDRESS: RateLimitPolicy = {
  name: 'invitation-link',
  limit: (config) => config.invitationLinkRequestsPerMinute,
  windowMs: MINUTE,
  key: (request) => request.ip,
  detail: 'too many invitation-link requests from this address; try again later',
};
