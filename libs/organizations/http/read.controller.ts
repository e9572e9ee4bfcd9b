// The read routes of the organization: answered from the read models, authorized from the write side
// (a removed member gets 404 at once, even before the roster has caught up).
import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiQuery, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Principal } from '../../platform/auth/principal';
import type { EventStore } from '../../platform/event-store/event-store';
import { Caller } from '../../platform/http/caller';
import { decodeCursor, parseLimit, requireKnownParams, toPage } from '../../platform/http/pagination';
import { EVENT_STORE } from '../../platform/injection-tokens';
import { normalizeEmail } from '../domain/email';
import { MemberNotFound } from '../domain/errors';
import { organizationStream } from '../domain/events';
import { requireEventHistoryAccess, requireMembership } from '../domain/permissions';
import { ORGANIZATION_REPOSITORY } from '../application/injection-tokens';
import type { OrganizationRepository } from '../application/organization-repository';
import { LIST_QUERIES, ROSTER_QUERIES } from '../read-side/injection-tokens';
import type { ListQueries } from '../read-side/lists.query';
import type { RosterQueries } from '../read-side/roster.query';
import { ApiPageQuery, ApiProblem, pageOf } from '../../platform/http/openapi';
import { ROLES } from '../domain/permissions';
import { ROSTER_SORT_COLUMNS } from '../read-side/roster.projection';
import { DomainEventDto, InvitationDto, InvitationRowDto, MemberRowDto, MyOrgDto } from './responses';

const ROSTER_ROW = {
  oneOf: [{ $ref: getSchemaPath(MemberRowDto) }, { $ref: getSchemaPath(InvitationRowDto) }],
  discriminator: { propertyName: 'kind' },
};
const SORTS = Object.keys(ROSTER_SORT_COLUMNS).flatMap((s) => [s, `-${s}`]);

@ApiExtraModels(MyOrgDto, InvitationDto, MemberRowDto, InvitationRowDto, DomainEventDto)
@Controller()
export class ReadController {
  constructor(
    @Inject(ORGANIZATION_REPOSITORY) private readonly organizations: OrganizationRepository,
    @Inject(ROSTER_QUERIES) private readonly roster: RosterQueries,
    @Inject(LIST_QUERIES) private readonly lists: ListQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get('orgs')
  @ApiTags('organizations')
  @ApiOperation({ summary: 'The organizations where the caller is an active member, with their role' })
  @ApiPageQuery()
  @ApiOkResponse({ schema: pageOf(MyOrgDto) })
  myOrganizations(@Caller() caller: Principal, @Query() query: Record<string, unknown>) {
    return this.lists.myOrganizations(caller.sub, query);
  }

  @Get('me/invitations')
  @ApiTags('invitations')
  @ApiOperation({ summary: "Pending invitations addressed to the caller's email" })
  @ApiPageQuery()
  @ApiOkResponse({ schema: pageOf(InvitationDto) })
  myInvitations(@Caller() caller: Principal, @Query() query: Record<string, unknown>) {
    return this.lists.invitationsTo(normalizeEmail(caller.email), query, new Date());
  }

  @Get('orgs/:orgId/members')
  @ApiTags('members')
  @ApiOperation({ summary: 'The roster: active members and open (pending or expired) invitations, one row each' })
  @ApiQuery({ name: 'status', required: false, enum: ['active', 'invited', 'expired'] })
  @ApiQuery({ name: 'role', required: false, enum: ROLES })
  @ApiQuery({ name: 'q', required: false, description: 'Case-insensitive substring of name or email', schema: { type: 'string' } })
  @ApiQuery({ name: 'sort', required: false, enum: SORTS, description: '`-` prefix for descending; default `name`' })
  @ApiPageQuery()
  @ApiOkResponse({ schema: pageOf(ROSTER_ROW) })
  @ApiProblem(404, 'not_found')
  async members(@Param('orgId') orgId: string, @Caller() caller: Principal, @Query() query: Record<string, unknown>) {
    requireMembership(await this.organizations.read(orgId), caller.sub);
    return this.roster.list(orgId, query, new Date());
  }

  @Get('orgs/:orgId/members/:userId')
  @ApiTags('members')
  @ApiOperation({ summary: "An active member's roster row" })
  @ApiOkResponse({ type: MemberRowDto })
  @ApiProblem(404, 'not_found')
  async member(@Param('orgId') orgId: string, @Param('userId') userId: string, @Caller() caller: Principal) {
    const state = await this.organizations.read(orgId);
    requireMembership(state, caller.sub);
    const row = state.members.has(userId) ? await this.roster.member(orgId, userId) : null;
    if (!row) throw new MemberNotFound();
    return row;
  }

  @Get('orgs/:orgId/invitations')
  @ApiTags('invitations')
  @ApiOperation({ summary: "The organization's invitations" })
  @ApiQuery({ name: 'status', required: false, enum: ['pending', 'expired', 'accepted', 'declined', 'revoked'] })
  @ApiPageQuery()
  @ApiOkResponse({ schema: pageOf(InvitationDto) })
  @ApiProblem(404, 'not_found')
  async invitations(@Param('orgId') orgId: string, @Caller() caller: Principal, @Query() query: Record<string, unknown>) {
    requireMembership(await this.organizations.read(orgId), caller.sub);
    return this.lists.invitations(orgId, query, new Date());
  }

  /** The organization's immutable domain events in append order, with their hash chain. */
  @Get('orgs/:orgId/events')
  @ApiTags('event history')
  @ApiOperation({ summary: "The organization's immutable domain events in append order (Owner and Admin)" })
  @ApiQuery({ name: 'after', required: false, description: 'A `nextCursor` (or a streamVersion): events after it', schema: { type: 'string' } })
  @ApiPageQuery()
  @ApiOkResponse({ schema: pageOf(DomainEventDto) })
  @ApiProblem(403, 'forbidden')
  @ApiProblem(404, 'not_found')
  async events(@Param('orgId') orgId: string, @Caller() caller: Principal, @Query() query: Record<string, unknown>) {
    requireEventHistoryAccess(await this.organizations.read(orgId), caller.sub);
    requireKnownParams(query, ['after', 'limit', 'cursor']);
    const limit = parseLimit(query.limit);
    // `after` takes a nextCursor (or a streamVersion); `cursor` is accepted as its synonym.
    const raw = query.after ?? query.cursor;
    const after = typeof raw === 'string' && /^\d{1,12}$/.test(raw) ? Number(raw) : ((decodeCursor(raw, ['number'])?.[0] as number) ?? 0);
    const events = await this.store.readStream(organizationStream(orgId), after, limit + 1);
    return toPage(
      events,
      limit,
      (e) => ({
        position: String(e.position),
        eventId: e.metadata.eventId,
        type: e.type,
        streamVersion: e.streamVersion,
        occurredAt: e.metadata.occurredAt,
        actorId: e.metadata.actorId,
        data: e.data,
        // Every metadata field the hash covers, so that an export verifies on its own (firstBrokenLink).
        correlationId: e.metadata.correlationId,
        causationId: e.metadata.causationId,
        schemaVersion: e.metadata.schemaVersion,
        prevHash: e.metadata.prevHash,
        hash: e.metadata.hash,
      }),
      (e) => [e.streamVersion],
    );
  }
}
