// The organization's HTTP API on top of its core (write side, queries).
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CommandRunner } from './http/command-runner';
import { InvitationLinksController } from './http/invitation-links.controller';
import { InvitationsController } from './http/invitations.controller';
import { MembersController } from './http/members.controller';
import { OrganizationsController } from './http/organizations.controller';
import { ReadController } from './http/read.controller';
import { OrganizationsCoreModule } from './organizations-core.module';

@Module({
  imports: [CqrsModule, OrganizationsCoreModule],
  controllers: [OrganizationsController, InvitationsController, InvitationLinksController, MembersController, ReadController],
  providers: [CommandRunner],
  exports: [OrganizationsCoreModule, CommandRunner],
})
export class OrganizationsModule {}
