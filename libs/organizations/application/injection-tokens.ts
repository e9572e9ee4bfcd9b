export const ORGANIZATION_REPOSITORY = Symbol('OrganizationRepository');
export const INVITATION_TOKENS = Symbol('InvitationTokens');
