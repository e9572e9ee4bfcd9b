import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { Config } from '../platform/config/config';
import type { EventStore } from '../platform/event-store/event-store';
import { CONFIG, EVENT_STORE } from '../platform/injection-tokens';
import { INVITATION_TOKENS, ORGANIZATION_REPOSITORY } from './application/injection-tokens';
import { invitationTokens } from './application/invitation-token';
import { organizationRepository } from './application/organization-repository';
import { RunOrganizationCommandHandler } from './application/run-organization-command';
import { CommandRunner } from './http/command-runner';
import { InvitationLinksController } from './http/invitation-links.controller';
import { InvitationsController } from './http/invitations.controller';
import { MembersController } from './http/members.controller';
import { OrganizationsController } from './http/organizations.controller';

@Module({
  imports: [CqrsModule],
  controllers: [OrganizationsController, InvitationsController, InvitationLinksController, MembersController],
  providers: [
    { provide: ORGANIZATION_REPOSITORY, inject: [EVENT_STORE], useFactory: (store: EventStore) => organizationRepository(store) },
    { provide: INVITATION_TOKENS, inject: [CONFIG], useFactory: (config: Config) => invitationTokens(config.invitationSecret) },
    RunOrganizationCommandHandler,
    CommandRunner,
  ],
  exports: [ORGANIZATION_REPOSITORY, CommandRunner],
})
export class OrganizationsModule {}
