// Builds the HTTP application for a configuration; main.ts and the end-to-end tests both use it.
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from '../../libs/platform/config/config';
import { validationPipe } from '../../libs/platform/http/validation';
import { newId } from '../../libs/platform/ids';
import { problem, toProblem } from '../../libs/platform/http/problem';
import { sendProblem } from '../../libs/platform/http/problem.filter';
import { buildOpenApiDocument, OpenApiDocument } from '../../libs/platform/http/openapi-document';
import { instrumentHttp } from '../../libs/platform/observability/http-instrumentation';
import { createRootLogger, NestLogger } from '../../libs/platform/observability/logging';
import { METRICS } from '../../libs/platform/observability/metrics';
import { AppModule } from './app.module';

export const BODY_LIMIT_BYTES = 100 * 1024;
const REQUEST_ID = /^[\w.:-]{1,128}$/;
const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

export type CreateAppOptions = {
  /** false: no logs at all (the tests' default), unless `logStream` is given. */
  logger?: false;
  /** Where the JSON log lines go instead of stdout (tests read them from here). */
  logStream?: DestinationStream;
};

export async function createApp(config: Config, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const logger = createRootLogger({
    level: options.logger === false && !options.logStream ? 'silent' : config.logLevel,
    destination: options.logStream,
  });
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // A hop count is Fastify's (address, hop) => hop < n; its adapter's types only list the function form.
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    // Invitation tokens travel in the path and are longer than Fastify's default 100 characters.
    routerOptions: { maxParamLength: 1024 },
    // While shutting down, the hook below answers 503 as problem+json instead of Fastify's own body.
    return503OnClosing: false,
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
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), adapter, { bufferLogs: true });
  app.useLogger(app.get(NestLogger));
  app.useGlobalPipes(validationPipe());
  app.get(OpenApiDocument).setFactory(() => buildOpenApiDocument(app));

  const fastify = app.getHttpAdapter().getInstance();
  instrumentHttp(fastify, logger, app.get(METRICS));
  // Graceful shutdown (main.ts): once the server closes, requests still arriving on open connections
  // get 503 and every answer closes its connection; requests in flight finish.
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    sendProblem(reply, problem('unavailable', 'the server is shutting down; try again'), { 'retry-after': '1' });
    return reply;
  });
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
  });
  await app.init();
  return app;
}
