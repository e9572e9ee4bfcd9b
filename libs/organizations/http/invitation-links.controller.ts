// The invitee's side of an invitation, addressed by the emailed link's token.
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../platform/auth/principal';
import { Caller, Public } from '../../platform/http/caller';
import { normalizeEmail } from '../domain/email';
import { InvitationNotFound } from '../domain/errors';
import { displayName, effectiveStatus } from '../domain/organization';
import { INVITATION_TOKENS, ORGANIZATION_REPOSITORY } from '../application/injection-tokens';
import type { InvitationTokenClaims, InvitationTokens } from '../application/invitation-token';
import type { OrganizationRepository } from '../application/organization-repository';
import { CommandRunner } from './command-runner';
import { EmptyBodyDto } from './dtos';
import { ApiCommand, ApiProblem } from '../../platform/http/openapi';
import { INVITATION_LINK_PER_ADDRESS } from '../../platform/rate-limit/policies';
import { RateLimit } from '../../platform/rate-limit/rate-limit.guard';
import { AcceptedInvitationDto, InvitationPreviewDto } from './responses';

const LIMITED = 'Limited to INVITATION_LINK_REQUESTS_PER_MINUTE requests per client address.';

@ApiTags('invitation links')
@ApiParam({ name: 'token', description: 'The token of the emailed link (a credential: never logged)' })
@Controller('invitations/:token')
export class InvitationLinksController {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(ORGANIZATION_REPOSITORY) private readonly organizations: OrganizationRepository,
    @Inject(INVITATION_TOKENS) private readonly tokens: InvitationTokens,
  ) {}

  /** A preview that never uses the link up (mail scanners follow links). */
  @Get()
  @Public()
  @RateLimit(INVITATION_LINK_PER_ADDRESS)
  @ApiOperation({ summary: 'Preview an invitation from its link (no token needed; never uses the link up)', description: LIMITED })
  @ApiOkResponse({ type: InvitationPreviewDto })
  @ApiProblem(404, 'invitation_not_found')
  async preview(@Param('token') token: string) {
    const claims = this.verify(token);
    const state = await this.organizations.read(claims.orgId);
    const invitation = state.status === 'active' ? state.invitations.get(claims.invitationId) : undefined;
    if (!invitation || claims.sendNumber > invitation.sendNumber) throw new InvitationNotFound();
    const status = claims.sendNumber < invitation.sendNumber ? 'expired' : effectiveStatus(invitation, new Date());
    const inviter = state.members.get(invitation.invitedBy);
    return {
      orgId: state.id,
      orgName: state.name,
      email: invitation.email,
      role: invitation.role,
      status,
      expiresAt: invitation.expiresAt,
      invitedBy: { name: inviter ? displayName(inviter) : null },
    };
  }

  @Post('accept')
  @HttpCode(200)
  @RateLimit(INVITATION_LINK_PER_ADDRESS)
  @ApiOperation({ summary: 'Accept the invitation: the caller (the invitee) is an active member at once', description: LIMITED })
  @ApiBody({ type: EmptyBodyDto, required: false })
  @ApiCommand(200, 'The membership', { type: AcceptedInvitationDto })
  @ApiProblem(403, 'email_mismatch')
  @ApiProblem(404, 'invitation_not_found')
  @ApiProblem(409, 'already_member')
  @ApiProblem(410, 'invitation_revoked', 'invitation_used', 'invitation_expired')
  async accept(@Param('token') token: string, @Body() _body: EmptyBodyDto, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { orgId, invitationId, sendNumber } = this.verify(token);
    const { state } = await this.commands.run(
      { type: 'AcceptInvitation', orgId, link: { invitationId, sendNumber }, by: invitee(caller), now: new Date() },
      req,
      reply,
    );
    return { orgId, userId: caller.sub, role: state.members.get(caller.sub)!.role };
  }

  @Post('decline')
  @HttpCode(204)
  @RateLimit(INVITATION_LINK_PER_ADDRESS)
  @ApiOperation({ summary: 'Decline the invitation (the invitee)', description: LIMITED })
  @ApiBody({ type: EmptyBodyDto, required: false })
  @ApiCommand(204, 'Declined')
  @ApiProblem(403, 'email_mismatch')
  @ApiProblem(404, 'invitation_not_found')
  @ApiProblem(409, 'already_member')
  @ApiProblem(410, 'invitation_revoked', 'invitation_used', 'invitation_expired')
  async decline(@Param('token') token: string, @Body() _body: EmptyBodyDto, @Caller() caller: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { orgId, invitationId, sendNumber } = this.verify(token);
    await this.commands.run(
      { type: 'DeclineInvitation', orgId, link: { invitationId, sendNumber }, by: invitee(caller), now: new Date() },
      req,
      reply,
    );
  }

  private verify(token: string): InvitationTokenClaims {
    const claims = this.tokens.verify(token);
    if (!claims) throw new InvitationNotFound();
    return claims;
  }
}

const invitee = (caller: Principal) => ({
  userId: caller.sub,
  email: normalizeEmail(caller.email),
  name: caller.name,
  emailVerified: caller.emailVerified,
});
