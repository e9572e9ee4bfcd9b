// The read routes of the organization: answered from the read models, authorized from the write side
// (a removed member gets 404 at once, even before the roster has caught up).
import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
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

@Controller()
export class ReadController {
  constructor(
    @Inject(ORGANIZATION_REPOSITORY) private readonly organizations: OrganizationRepository,
    @Inject(ROSTER_QUERIES) private readonly roster: RosterQueries,
    @Inject(LIST_QUERIES) private readonly lists: ListQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get('orgs')
  myOrganizations(@Caller() caller: Principal, @Query() query: Record<string, unknown>) {
    return this.lists.myOrganizations(caller.sub, query);
  }

  @Get('me/invitations')
  myInvitations(@Caller() caller: Principal, @Query() query: Record<string, unknown>) {
    return this.lists.invitationsTo(normalizeEmail(caller.email), query, new Date());
  }

  @Get('orgs/:orgId/members')
  async members(@Param('orgId') orgId: string, @Caller() caller: Principal, @Query() query: Record<string, unknown>) {
    requireMembership(await this.organizations.read(orgId), caller.sub);
    return this.roster.list(orgId, query, new Date());
  }

  @Get('orgs/:orgId/members/:userId')
  async member(@Param('orgId') orgId: string, @Param('userId') userId: string, @Caller() caller: Principal) {
    const state = await this.organizations.read(orgId);
    requireMembership(state, caller.sub);
    const row = state.members.has(userId) ? this.roster.member(orgId, userId) : null;
    if (!row) throw new MemberNotFound();
    return row;
  }

  @Get('orgs/:orgId/invitations')
  async invitations(@Param('orgId') orgId: string, @Caller() caller: Principal, @Query() query: Record<string, unknown>) {
    requireMembership(await this.organizations.read(orgId), caller.sub);
    return this.lists.invitations(orgId, query, new Date());
  }

  /** The organization's immutable domain events in append order, with their hash chain. */
  @Get('orgs/:orgId/events')
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
