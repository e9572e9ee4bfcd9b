import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import { ApiCommand, ApiProblem } from '../../platform/http/openapi';
import { OrgDto, PermissionsDto } from './responses';

const LOCATION = { Location: { description: 'Path of the new organization', schema: { type: 'string' } } } as const;

@ApiTags('organizations')
@Controller('orgs')
export class OrganizationsController {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(ORGANIZATION_REPOSITORY) private readonly organizations: OrganizationRepository,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create an organization; the caller becomes its Owner' })
  @ApiCommand(201, 'The new organization', { type: OrgDto }, LOCATION)
  async create(@Body() body: OrganizationNameDto, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const by = { userId: caller.sub, email: normalizeEmail(caller.email), name: caller.name };
    const orgId = newId();
    const { state } = await this.commands.run({ type: 'CreateOrganization', orgId, name: body.name, by, now: new Date() }, req, reply);
    reply.header('location', `/orgs/${orgId}`);
    return orgView(state);
  }

  @Get(':orgId')
  @ApiOperation({ summary: 'An organization the caller is an active member of' })
  @ApiOkResponse({ type: OrgDto })
  @ApiProblem(404, 'not_found')
  async get(@Param('orgId') orgId: string, @Caller() caller: Principal) {
    const state = await this.organizations.read(orgId);
    requireMembership(state, caller.sub);
    return orgView(state);
  }

  @Get(':orgId/permissions')
  @ApiOperation({ summary: "The caller's role and permissions in the organization (for other services' checks)" })
  @ApiOkResponse({ type: PermissionsDto })
  @ApiProblem(404, 'not_found')
  async permissions(@Param('orgId') orgId: string, @Caller() caller: Principal) {
    const member = requireMembership(await this.organizations.read(orgId), caller.sub);
    return { role: member.role, permissions: permissionsOf(member.role) };
  }

  @Patch(':orgId')
  @ApiOperation({ summary: 'Rename the organization (`org-settings:modify`)' })
  @ApiCommand(200, 'The renamed organization', { type: OrgDto })
  @ApiProblem(403, 'forbidden')
  @ApiProblem(404, 'not_found')
  async rename(@Param('orgId') orgId: string, @Body() body: OrganizationNameDto, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { state } = await this.commands.run({ type: 'RenameOrganization', orgId, name: body.name, by: caller.sub, now: new Date() }, req, reply);
    return orgView(state);
  }

  @Delete(':orgId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete the organization (`org:delete`); its event history is kept' })
  @ApiCommand(204, 'Deleted: every /orgs/{orgId} call answers 404 from now on')
  @ApiProblem(403, 'forbidden')
  @ApiProblem(404, 'not_found')
  async delete(@Param('orgId') orgId: string, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.commands.run({ type: 'DeleteOrganization', orgId, by: caller.sub, now: new Date() }, req, reply);
  }
}
