// From an HTTP request to a command on the bus: stamps the correlation id and answers X-Position.
import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OrganizationCommand } from '../domain/commands';
import { RunOrganizationCommand } from '../application/run-organization-command';
import type { CommandOutcome } from '../application/organization-repository';

@Injectable()
export class CommandRunner {
  constructor(private readonly bus: CommandBus) {}

  async run(command: OrganizationCommand, request: FastifyRequest, reply: FastifyReply): Promise<CommandOutcome> {
    const outcome = await this.bus.execute(new RunOrganizationCommand(command, { correlationId: String(request.id) }));
    reply.header('x-position', String(outcome.position));
    return outcome;
  }
}
