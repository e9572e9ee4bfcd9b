// Every error leaves as application/problem+json, from this one place.
import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiError, toProblem, type Problem } from './problem';

export function sendProblem(reply: FastifyReply, problem: Problem, headers: Record<string, string> = {}) {
  reply.status(problem.status).headers(headers).type('application/problem+json').send(problem);
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost) {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const problem = toProblem(error);
    if (problem.status >= 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    const headers = error instanceof ApiError ? { ...error.headers } : {};
    if (problem.status === 401) headers['www-authenticate'] = 'Bearer';
    if (problem.code === 'unavailable') headers['retry-after'] ??= '1';
    sendProblem(reply, problem, headers);
  }
}
