// The one @nestjs/cqrs command handler of the organization stream: every command takes the same
// path (load, decide, append), so one handler translates; the domain decides.
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Logger } from '@nestjs/common';
import type { Config } from '../../platform/config/config';
import { CONFIG, MAILER } from '../../platform/injection-tokens';
import type { Mailer } from '../../platform/mail/mailer';
import type { OrganizationCommand } from '../domain/commands';
import { sendInvitationEmail } from './invitation-email';
import type { InvitationTokens } from './invitation-token';
import { INVITATION_TOKENS, ORGANIZATION_REPOSITORY } from './injection-tokens';
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
  private readonly logger = new Logger('Invitations');

  constructor(
    @Inject(ORGANIZATION_REPOSITORY) private readonly repository: OrganizationRepository,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(INVITATION_TOKENS) private readonly tokens: InvitationTokens,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async execute({ command, context }: RunOrganizationCommand): Promise<CommandOutcome> {
    const outcome = await this.repository.execute(command, context);
    await this.sendInvitationEmails(outcome);
    return outcome;
  }

  // Interim, until the email job and its reactor exist: the email goes out right after the append.
  // A failure is logged, not returned: the invitation exists and can be resent.
  private async sendInvitationEmails({ state, events }: CommandOutcome) {
    for (const event of events) {
      if (event.type !== 'MemberInvited' && event.type !== 'InvitationResent') continue;
      const { invitationId } = event.data as { invitationId: string };
      const deps = { mailer: this.mailer, tokens: this.tokens, linkBase: this.config.inviteLinkBase };
      await sendInvitationEmail(deps, state, invitationId).catch((error: Error) =>
        this.logger.error(`invitation email ${invitationId} not sent: ${error.message}`),
      );
    }
  }
}
