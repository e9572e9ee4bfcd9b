// Builds the HTTP application for a configuration; main.ts and the end-to-end tests both use it.
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import type { LogLevel } from '@nestjs/common';
import type { Config } from '../../libs/platform/config/config';
import { validationPipe } from '../../libs/platform/http/validation';
import { newId } from '../../libs/platform/ids';
import { toProblem } from '../../libs/platform/http/problem';
import { AppModule } from './app.module';

export const BODY_LIMIT_BYTES = 100 * 1024;
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export async function createApp(config: Config, options: { logger?: false | LogLevel[] } = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Invitation tokens travel in the path and are longer than Fastify's default 100 characters.
    routerOptions: { maxParamLength: 1024 },
    // Errors Fastify raises before routing (bad URL, bad content type) answer problem+json too.
    frameworkErrors: (error: Error, _request: unknown, reply: FastifyReply) => {
      const problem = toProblem(error);
      reply.status(problem.status).type('application/problem+json').send(problem);
    },
    // The caller's X-Request-Id (when sane) becomes the events' correlationId; otherwise a new one.
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: options.logger ?? ['error', 'warn'],
  });
  app.useGlobalPipes(validationPipe());
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.enableShutdownHooks();
  await app.init();
  return app;
}
