// The one @nestjs/cqrs command handler of the organization stream: every command takes the same
// path (load, decide, append), so one handler translates; the domain decides. Side effects (the
// invitation emails, expiry) follow from the stored events: see invitation-jobs.ts.
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { OrganizationCommand } from '../domain/commands';
import { ORGANIZATION_REPOSITORY } from './injection-tokens';
import type { CommandContext, CommandOutcome, OrganizationRepository } from './organization-repository';

export class RunOrganizationCommand extends Command<CommandOutcome> {
  constructor(
    readonly command: OrganizationCommand,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RunOrganizationCommand)
export class RunOrganizationCommandHandler implements ICommandHandler<RunOrganizationCommand> {
  constructor(@Inject(ORGANIZATION_REPOSITORY) private readonly repository: OrganizationRepository) {}

  execute({ command, context }: RunOrganizationCommand): Promise<CommandOutcome> {
    return this.repository.execute(command, context);
  }
}
