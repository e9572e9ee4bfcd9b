// The organization's write side and queries without HTTP: what the API and the worker both need.
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type Database from 'better-sqlite3';
import type { Config } from '../platform/config/config';
import type { EventStore } from '../platform/event-store/event-store';
import { CONFIG, EVENT_STORE, READ_DB } from '../platform/injection-tokens';
import { INVITATION_TOKENS, ORGANIZATION_REPOSITORY } from './application/injection-tokens';
import { invitationTokens } from './application/invitation-token';
import { organizationRepository } from './application/organization-repository';
import { RunOrganizationCommandHandler } from './application/run-organization-command';
import { LIST_QUERIES, ROSTER_QUERIES } from './read-side/injection-tokens';
import { listQueries } from './read-side/lists.query';
import { rosterQueries } from './read-side/roster.query';

@Module({
  imports: [CqrsModule],
  providers: [
    { provide: ORGANIZATION_REPOSITORY, inject: [EVENT_STORE], useFactory: (store: EventStore) => organizationRepository(store) },
    { provide: INVITATION_TOKENS, inject: [CONFIG], useFactory: (config: Config) => invitationTokens(config.invitationSecret) },
    { provide: ROSTER_QUERIES, inject: [READ_DB], useFactory: (db: Database.Database) => rosterQueries(db) },
    { provide: LIST_QUERIES, inject: [READ_DB], useFactory: (db: Database.Database) => listQueries(db) },
    RunOrganizationCommandHandler,
  ],
  exports: [ORGANIZATION_REPOSITORY, INVITATION_TOKENS, ROSTER_QUERIES, LIST_QUERIES],
})
export class OrganizationsCoreModule {}
