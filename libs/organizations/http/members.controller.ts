import { Body, Controller, Delete, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../platform/auth/principal';
import { Caller } from '../../platform/http/caller';
import { Inject } from '@nestjs/common';
import { ApiError } from '../../platform/http/problem';
import { MIN_POSITION_WAIT_MS } from '../../platform/http/min-position.interceptor';
import { PROJECTION_RUNNER } from '../../platform/injection-tokens';
import type { ProjectionRunner } from '../../platform/projections/projection-runner';
import { ROSTER_QUERIES } from '../read-side/injection-tokens';
import type { RosterQueries } from '../read-side/roster.query';
import { CommandRunner } from './command-runner';
import { ChangeRoleDto, TransferOwnershipDto, EmptyBodyDto } from './dtos';
import { ApiCommand, ApiProblem } from '../../platform/http/openapi';
import { MemberRowDto, OwnershipTransferDto } from './responses';

@ApiTags('members')
@Controller('orgs/:orgId')
export class MembersController {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(ROSTER_QUERIES) private readonly roster: RosterQueries,
    @Inject(PROJECTION_RUNNER) private readonly projections: ProjectionRunner,
  ) {}

  /** Answers the roster row as it is once the change is projected (it is in-process: milliseconds). */
  @Patch('members/:userId')
  @ApiOperation({ summary: "Change a member's role (`roles:change`); takes effect at once" })
  @ApiCommand(200, 'The member row (setting the role a member already has changes nothing)', { type: MemberRowDto })
  @ApiProblem(403, 'forbidden')
  @ApiProblem(404, 'not_found')
  @ApiProblem(409, 'owner_role_immutable')
  @ApiProblem(503, 'read_model_lagging')
  async changeRole(@Param('orgId') orgId: string, @Param('userId') userId: string, @Body() body: ChangeRoleDto, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { position } = await this.commands.run({ type: 'ChangeRole', orgId, userId, role: body.role, by: caller.sub, now: new Date() }, req, reply);
    if (!(await this.projections.waitFor(position, MIN_POSITION_WAIT_MS))) {
      throw new ApiError('read_model_lagging', 'the role was changed; the roster has not caught up yet', undefined, { 'retry-after': '1' });
    }
    return this.roster.member(orgId, userId);
  }

  @Delete('members/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a member (`members:manage`): access ends at once; the invitations they sent are revoked' })
  @ApiCommand(204, 'Removed')
  @ApiProblem(403, 'forbidden')
  @ApiProblem(404, 'not_found')
  @ApiProblem(409, 'owner_cannot_be_removed')
  async remove(@Param('orgId') orgId: string, @Param('userId') userId: string, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.commands.run({ type: 'RemoveMember', orgId, userId, by: caller.sub, now: new Date() }, req, reply);
  }

  @Post('leave')
  @HttpCode(204)
  @ApiOperation({ summary: 'Leave the organization (any member but the Owner)' })
  @ApiBody({ type: EmptyBodyDto, required: false })
  @ApiCommand(204, 'Left')
  @ApiProblem(404, 'not_found')
  @ApiProblem(409, 'owner_cannot_be_removed')
  async leave(@Param('orgId') orgId: string, @Body() _body: EmptyBodyDto, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.commands.run({ type: 'LeaveOrganization', orgId, by: caller.sub, now: new Date() }, req, reply);
  }

  @Post('ownership-transfer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Transfer ownership to an active Admin (`ownership:transfer`); the previous Owner becomes Admin' })
  @ApiCommand(200, 'The new and the previous Owner', { type: OwnershipTransferDto })
  @ApiProblem(403, 'forbidden')
  @ApiProblem(404, 'not_found')
  @ApiProblem(409, 'transfer_target_not_admin')
  async transferOwnership(@Param('orgId') orgId: string, @Body() body: TransferOwnershipDto, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.commands.run({ type: 'TransferOwnership', orgId, newOwnerId: body.newOwnerId, by: caller.sub, now: new Date() }, req, reply);
    return { ownerId: body.newOwnerId, previousOwnerId: caller.sub };
  }
}
