// Records activity: authorizes against the organization's write-side state (strongly consistent),
// decides with the pure recordActivity, and appends every item in one append to the organization's
// activity stream. That stream has no invariant of its own, so it appends at any version: activity
// never waits for, nor conflicts with, membership commands.
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventStore, NewEvent } from '../../platform/event-store/event-store';
import { newId } from '../../platform/ids';
import { EVENT_STORE } from '../../platform/injection-tokens';
import { ORGANIZATION_REPOSITORY } from '../../organizations/application/injection-tokens';
import type { CommandContext, OrganizationRepository } from '../../organizations/application/organization-repository';
import { activityStream, type ActivityEvent } from '../domain/events';
import { recordActivity, type RecordActivity as RecordActivityCommand } from '../domain/record-activity';

export type RecordActivityResult = {
  /** Items accepted (every item of the request; an id seen before is counted once by the read side). */
  accepted: number;
  /** Global position of the last appended event, for X-Position. */
  position: number;
};

export class RecordActivity extends Command<RecordActivityResult> {
  constructor(
    readonly command: RecordActivityCommand,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RecordActivity)
export class RecordActivityHandler implements ICommandHandler<RecordActivity> {
  constructor(
    @Inject(ORGANIZATION_REPOSITORY) private readonly organizations: OrganizationRepository,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ command, context }: RecordActivity): Promise<RecordActivityResult> {
    const state = await this.organizations.read(command.orgId);
    const events = recordActivity(state, command);
    const { position } = await this.store.append(
      activityStream(command.orgId),
      'any',
      events.map((event) => envelope(event, command.now, context)),
    );
    return { accepted: events.length, position };
  }
}

/** occurredAt of the envelope is when it was recorded; when the member did it is the data's occurredAt. */
function envelope(event: ActivityEvent, now: Date, context: CommandContext): NewEvent {
  return {
    type: event.type,
    data: event.data,
    metadata: {
      eventId: newId(),
      actorId: event.data.actorId,
      occurredAt: now.toISOString(),
      correlationId: context.correlationId,
      causationId: context.causationId ?? null,
      schemaVersion: 1,
    },
  };
}
