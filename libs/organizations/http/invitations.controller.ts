import { Body, Controller, Delete, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import { ApiCommand, ApiProblem } from '../../platform/http/openapi';
import { INVITATIONS_PER_ORGANIZATION } from '../../platform/rate-limit/policies';
import { RateLimit } from '../../platform/rate-limit/rate-limit.guard';
import { InvitationDto } from './responses';

const LOCATION = { Location: { description: 'Path of the new invitation', schema: { type: 'string' } } } as const;

@ApiTags('invitations')
@Controller('orgs/:orgId/invitations')
export class InvitationsController {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Post()
  @RateLimit(INVITATIONS_PER_ORGANIZATION)
  @ApiOperation({
    summary: 'Invite someone by email (`members:manage`); the email with the link is sent in the background',
    description: 'Counts against INVITES_PER_HOUR (invitations plus resends per organization per hour).',
  })
  @ApiCommand(201, 'The pending invitation', { type: InvitationDto }, LOCATION)
  @ApiProblem(403, 'forbidden')
  @ApiProblem(404, 'not_found')
  @ApiProblem(409, 'already_member', 'invitation_pending')
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
  @RateLimit(INVITATIONS_PER_ORGANIZATION)
  @ApiOperation({
    summary: 'Resend a pending or expired invitation (`members:manage`): a new link and a new expiry; earlier links stop working',
    description: 'Counts against INVITES_PER_HOUR (invitations plus resends per organization per hour).',
  })
  @ApiBody({ type: EmptyBodyDto, required: false })
  @ApiCommand(200, 'The invitation with its new expiresAt', { type: InvitationDto })
  @ApiProblem(403, 'forbidden')
  @ApiProblem(404, 'not_found')
  @ApiProblem(409, 'invitation_not_pending')
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
  @ApiOperation({ summary: 'Revoke a pending or expired invitation (`members:manage`)' })
  @ApiCommand(204, 'Revoked')
  @ApiProblem(403, 'forbidden')
  @ApiProblem(404, 'not_found')
  @ApiProblem(409, 'invitation_not_pending')
  async revoke(@Param('orgId') orgId: string, @Param('invitationId') invitationId: string, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.commands.run({ type: 'RevokeInvitation', orgId, invitationId, by: caller.sub, now: new Date() }, req, reply);
  }
}
