// The organization's write side without HTTP: what the API and the worker both need (the queries come
// from the global ReadModelsModule).
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { Config } from '../platform/config/config';
import type { EventStore } from '../platform/event-store/event-store';
import { CONFIG, EVENT_STORE } from '../platform/injection-tokens';
import { INVITATION_TOKENS, ORGANIZATION_REPOSITORY } from './application/injection-tokens';
import { invitationTokens } from './application/invitation-token';
import { organizationRepository } from './application/organization-repository';
import { RunOrganizationCommandHandler } from './application/run-organization-command';

@Module({
  imports: [CqrsModule],
  providers: [
    { provide: ORGANIZATION_REPOSITORY, inject: [EVENT_STORE], useFactory: (store: EventStore) => organizationRepository(store) },
    { provide: INVITATION_TOKENS, inject: [CONFIG], useFactory: (config: Config) => invitationTokens(config.invitationSecret) },
    RunOrganizationCommandHandler,
  ],
  exports: [ORGANIZATION_REPOSITORY, INVITATION_TOKENS],
})
export class OrganizationsCoreModule {}
