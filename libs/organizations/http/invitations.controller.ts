import { Body, Controller, Delete, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../platform/config/config';
import type { Principal } from '../../platform/auth/principal';
import { Caller } from '../../platform/http/caller';
import { newId } from '../../platform/ids';
import { CONFIG } from '../../platform/injection-tokens';
import { normalizeEmail } from '../domain/email';
import { invitationView } from '../application/views';
import { CommandRunner } from './command-runner';
import { InviteMemberDto, EmptyBodyDto } from './dtos';

@Controller('orgs/:orgId/invitations')
export class InvitationsController {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Post()
  async invite(@Param('orgId') orgId: string, @Body() body: InviteMemberDto, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const now = new Date();
    const invitationId = newId();
    const by = { userId: caller.sub, email: normalizeEmail(caller.email), name: caller.name };
    const { state } = await this.commands.run(
      { type: 'InviteMember', orgId, invitationId, email: body.email, role: body.role, by, now, ttlSeconds: this.config.invitationTtlSeconds },
      req,
      reply,
    );
    reply.header('location', `/orgs/${orgId}/invitations/${invitationId}`);
    return invitationView(state, state.invitations.get(invitationId)!, now);
  }

  @Post(':invitationId/resend')
  @HttpCode(200)
  async resend(@Param('orgId') orgId: string, @Param('invitationId') invitationId: string, @Body() _body: EmptyBodyDto, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const now = new Date();
    const { state } = await this.commands.run(
      { type: 'ResendInvitation', orgId, invitationId, by: caller.sub, now, ttlSeconds: this.config.invitationTtlSeconds },
      req,
      reply,
    );
    return invitationView(state, state.invitations.get(invitationId)!, now);
  }

  @Delete(':invitationId')
  @HttpCode(204)
  async revoke(@Param('orgId') orgId: string, @Param('invitationId') invitationId: string, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.commands.run({ type: 'RevokeInvitation', orgId, invitationId, by: caller.sub, now: new Date() }, req, reply);
  }
}
