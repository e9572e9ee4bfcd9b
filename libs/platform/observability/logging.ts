// Structured JSON logs with pino: one root logger per application, nestjs-pino so that Nest's own
// Logger (framework messages, `new Logger('Errors')`) writes JSON lines carrying the request id.
// The one line per request is written by http-instrumentation.ts.
import { Injectable, RequestMethod } from '@nestjs/common';
import { Logger as PinoNestLogger, LoggerModule } from 'nestjs-pino';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import type { IncomingMessage } from 'node:http';

export type LogLevelSetting = Level | 'silent';

/** Never logged, wherever they turn up in a logged object: credentials, and an email's text and html
 * bodies (defence in depth: nothing logs such objects today). */
const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  'token',
  '*.token',
  'text',
  '*.text',
  'html',
  '*.html',
];

export function createRootLogger(options: { level: LogLevelSetting; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'team-management' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"info" rather than 30: readable without a lookup table.
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * nestjs-pino's module around an existing logger: binds the request id to every log made while a
 * request is handled. nestjs-pino keeps one root logger per process (the first app's), which only
 * matters when tests start several apps in one process.
 */
export const loggerModule = (logger: Logger) =>
  LoggerModule.forRoot({
    // nestjs-pino's default route, '{/*splat}', matches nothing under Nest 12 on Fastify.
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    pinoHttp: {
      logger,
      // Fastify's id (the caller's sane X-Request-Id, or a new one), which middie copies to the raw request.
      genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id: string }).id,
      customAttributeKeys: { reqId: 'requestId' },
      quietReqLogger: true,
      // The request line is http-instrumentation.ts's, written with the route, actor and outcome.
      autoLogging: false,
    },
  });

/** Nest's start-up chatter (a line per module and per route) is debug, not info. */
const FRAMEWORK_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/** Nest's LoggerService over pino (nestjs-pino), with the framework's start-up lines demoted. */
@Injectable()
export class NestLogger extends PinoNestLogger {
  override log(message: unknown, ...params: unknown[]) {
    const context = params[params.length - 1];
    if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context)) this.debug(message, ...params);
    else super.log(message, ...params);
  }
}

/** An invitation link's token is a credential: it never reaches a log line, not even in a path. */
export const redactPath = (path: string) => path.replace(/^\/invitations\/[^/?#]+/, '/invitations/[redacted]');
