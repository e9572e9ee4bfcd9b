import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../platform/auth/principal';
import { Caller } from '../../platform/http/caller';
import { newId } from '../../platform/ids';
import { normalizeEmail } from '../domain/email';
import { permissionsOf, requireMembership } from '../domain/permissions';
import { ORGANIZATION_REPOSITORY } from '../application/injection-tokens';
import type { OrganizationRepository } from '../application/organization-repository';
import { orgView } from '../application/views';
import { CommandRunner } from './command-runner';
import { OrganizationNameDto } from './dtos';

@Controller('orgs')
export class OrganizationsController {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(ORGANIZATION_REPOSITORY) private readonly organizations: OrganizationRepository,
  ) {}

  @Post()
  async create(@Body() body: OrganizationNameDto, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const by = { userId: caller.sub, email: normalizeEmail(caller.email), name: caller.name };
    const orgId = newId();
    const { state } = await this.commands.run({ type: 'CreateOrganization', orgId, name: body.name, by, now: new Date() }, req, reply);
    reply.header('location', `/orgs/${orgId}`);
    return orgView(state);
  }

  @Get(':orgId')
  async get(@Param('orgId') orgId: string, @Caller() caller: Principal) {
    const state = await this.organizations.read(orgId);
    requireMembership(state, caller.sub);
    return orgView(state);
  }

  @Get(':orgId/permissions')
  async permissions(@Param('orgId') orgId: string, @Caller() caller: Principal) {
    const member = requireMembership(await this.organizations.read(orgId), caller.sub);
    return { role: member.role, permissions: permissionsOf(member.role) };
  }

  @Patch(':orgId')
  async rename(@Param('orgId') orgId: string, @Body() body: OrganizationNameDto, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { state } = await this.commands.run({ type: 'RenameOrganization', orgId, name: body.name, by: caller.sub, now: new Date() }, req, reply);
    return orgView(state);
  }

  @Delete(':orgId')
  @HttpCode(204)
  async delete(@Param('orgId') orgId: string, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.commands.run({ type: 'DeleteOrganization', orgId, by: caller.sub, now: new Date() }, req, reply);
  }
}
