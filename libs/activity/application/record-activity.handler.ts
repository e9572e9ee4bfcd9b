// Records activity: authorizes against the organization's write-side state (strongly consistent),
// decides with the pure recordActivity, and appends every item in one append to the organization's
// activity stream. That stream has no invariant of its own, so it appends at any version: activity
// never waits for, nor conflicts with, membership commands.
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventStore } from '../../platform/event-store/event-store';
import { envelope } from '../../platform/event-store/envelope';
import { EVENT_STORE } from '../../platform/injection-tokens';
import { ORGANIZATION_REPOSITORY } from '../../organizations/application/injection-tokens';
import type { CommandContext, OrganizationRepository } from '../../organizations/application/organization-repository';
import { activityStream } from '../domain/events';
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
      // The envelope's occurredAt is when it was recorded; when the member did it is the data's occurredAt.
      events.map((event) => envelope(event, event.data.actorId, command.now, context)),
    );
    return { accepted: events.length, position };
  }
}
