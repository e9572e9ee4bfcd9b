import { Body, Controller, Delete, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../platform/auth/principal';
import { Caller } from '../../platform/http/caller';
import { memberView } from '../application/views';
import { CommandRunner } from './command-runner';
import { ChangeRoleDto, TransferOwnershipDto, EmptyBodyDto } from './dtos';

@Controller('orgs/:orgId')
export class MembersController {
  constructor(private readonly commands: CommandRunner) {}

  @Patch('members/:userId')
  async changeRole(@Param('orgId') orgId: string, @Param('userId') userId: string, @Body() body: ChangeRoleDto, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { state } = await this.commands.run({ type: 'ChangeRole', orgId, userId, role: body.role, by: caller.sub, now: new Date() }, req, reply);
    return memberView(state.members.get(userId)!);
  }

  @Delete('members/:userId')
  @HttpCode(204)
  async remove(@Param('orgId') orgId: string, @Param('userId') userId: string, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.commands.run({ type: 'RemoveMember', orgId, userId, by: caller.sub, now: new Date() }, req, reply);
  }

  @Post('leave')
  @HttpCode(204)
  async leave(@Param('orgId') orgId: string, @Body() _body: EmptyBodyDto, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.commands.run({ type: 'LeaveOrganization', orgId, by: caller.sub, now: new Date() }, req, reply);
  }

  @Post('ownership-transfer')
  @HttpCode(200)
  async transferOwnership(@Param('orgId') orgId: string, @Body() body: TransferOwnershipDto, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.commands.run({ type: 'TransferOwnership', orgId, newOwnerId: body.newOwnerId, by: caller.sub, now: new Date() }, req, reply);
    return { ownerId: body.newOwnerId, previousOwnerId: caller.sub };
  }
}
