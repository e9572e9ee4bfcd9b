import type { Actor } from './actor';
import { normalizeEmail } from './email';
import { OrganizationAlreadyExists } from './errors';
import type { OrganizationEvent } from './events';
import type { Organization } from './organization';
import { requireName } from './organization-name';

export type CreateOrganization = { type: 'CreateOrganization'; orgId: string; name: string; by: Actor; now: Date };

/** The creator becomes the one Owner. */
export function createOrganization(state: Organization, cmd: CreateOrganization): OrganizationEvent[] {
  if (state.status !== 'none') throw new OrganizationAlreadyExists();
  const name = requireName(cmd.name);
  return [
    { type: 'OrganizationCreated', data: { orgId: cmd.orgId, name, createdBy: cmd.by.userId } },
    {
      type: 'MemberJoined',
      data: { userId: cmd.by.userId, email: normalizeEmail(cmd.by.email), name: cmd.by.name, role: 'owner', invitationId: null },
    },
  ];
}
