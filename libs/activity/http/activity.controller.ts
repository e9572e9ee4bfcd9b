// Activity over HTTP: recording items (members for themselves, services for members) and reading
// the activity log. Controllers translate; the domain decides.
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../platform/auth/principal';
import { Caller } from '../../platform/http/caller';
import { ORGANIZATION_REPOSITORY } from '../../organizations/application/injection-tokens';
import type { OrganizationRepository } from '../../organizations/application/organization-repository';
import { OrganizationNotFound } from '../../organizations/domain/errors';
import { requirePermission } from '../../organizations/domain/permissions';
import { isServiceCaller } from '../domain/record-activity';
import { GetActivityLog } from '../application/activity-log.query';
import { RecordActivity } from '../application/record-activity.handler';
import { RecordActivityDto } from './dtos';
import { ApiCommand, ApiPageQuery, ApiProblem, pageOf } from '../../platform/http/openapi';
import { ActivityAcceptedDto, ActivityLogEntryDto } from './responses';
import { ACTIVITY_LOG_TYPES } from '../application/activity-log.projection';

@ApiTags('activity')
@ApiExtraModels(ActivityLogEntryDto)
@Controller('orgs/:orgId')
export class ActivityController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(ORGANIZATION_REPOSITORY) private readonly organizations: OrganizationRepository,
  ) {}

  /** 202: recorded, counted by the read side in a moment (X-Position says when, for X-Min-Position). */
  @Post('activity')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Record what members did elsewhere in the product (imports, deployments, audits)',
    description:
      "With a member's token every item's actor is the caller and needs the matching permission; with a service token " +
      '(scope `activity:ingest`) `actorId` is required and must be an active member.',
  })
  @ApiCommand(202, 'Recorded; counted by the read side in a moment', { type: ActivityAcceptedDto })
  @ApiProblem(403, 'forbidden')
  @ApiProblem(404, 'not_found')
  @ApiProblem(422, 'actor_not_member')
  async record(@Param('orgId') orgId: string, @Body() body: RecordActivityDto, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const command = { orgId, items: body.items, caller: { sub: caller.sub, scopes: caller.scopes }, now: new Date() };
    const { accepted, position } = await this.commands.execute(new RecordActivity(command, { correlationId: String(req.id) }));
    reply.header('x-position', String(position));
    return { accepted };
  }

  @Get('activity-log')
  @ApiOperation({ summary: 'Team changes and activity, newest first (`activity-log:view`)' })
  @ApiQuery({ name: 'actorId', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'type', required: false, enum: ACTIVITY_LOG_TYPES })
  @ApiQuery({ name: 'from', required: false, description: 'Inclusive lower bound of occurredAt', schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'to', required: false, description: 'Inclusive upper bound of occurredAt', schema: { type: 'string', format: 'date-time' } })
  @ApiPageQuery()
  @ApiOkResponse({ schema: pageOf(ActivityLogEntryDto) })
  @ApiProblem(403, 'forbidden')
  @ApiProblem(404, 'not_found')
  async log(@Param('orgId') orgId: string, @Query() query: Record<string, unknown>, @Caller() caller: Principal) {
    // A service token is no member: it sees what a non-member sees, nothing.
    if (isServiceCaller(caller)) throw new OrganizationNotFound();
    requirePermission(await this.organizations.read(orgId), caller.sub, 'activity-log:view');
    return this.queries.execute(new GetActivityLog(orgId, query));
  }
}
