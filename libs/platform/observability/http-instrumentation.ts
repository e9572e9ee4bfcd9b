// One log line and one duration sample per HTTP request, from Fastify's hooks: they see every
// request, routed or not (404s, body-parser errors, the 503s of a shutdown).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { AuthenticatedRequest } from '../http/caller';
import { redactPath } from './logging';
import type { Metrics } from './metrics';

/** Requests that no route matched share one label, so that scanners cannot blow up the label set. */
const UNMATCHED = 'unmatched';
const outcomes = new WeakMap<FastifyRequest, string>();
/** Probes and scrapes arrive every few seconds: their successes are debug lines, not info. */
const ROUTINE_ROUTES = new Set(['/health', '/ready', '/metrics']);

export function instrumentHttp(fastify: FastifyInstance, logger: Logger, metrics: Metrics) {
  // The outcome of an error answer is its problem code, read from the problem+json about to be sent.
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400 && typeof payload === 'string' && String(reply.getHeader('content-type')).startsWith('application/problem+json')) {
      try {
        outcomes.set(request, String(JSON.parse(payload).code));
      } catch {
        // not JSON after all: the status code says enough
      }
    }
    return payload;
  });

  fastify.addHook('onResponse', async (request: AuthenticatedRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url ?? UNMATCHED;
    const status = reply.statusCode;
    const seconds = reply.elapsedTime / 1000;
    metrics.httpDuration.observe({ method: request.method, route, status: String(status) }, seconds);
    const line = {
      requestId: request.id,
      method: request.method,
      route,
      path: redactPath(request.url.split('?')[0]),
      status,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      actorId: request.principal?.sub ?? null,
      outcome: status < 400 ? 'ok' : (outcomes.get(request) ?? `http_${status}`),
      ip: request.ip,
    };
    if (status >= 500) logger.error(line, 'request failed');
    else if (status < 400 && ROUTINE_ROUTES.has(route)) logger.debug(line, 'request completed');
    else logger.info(line, 'request completed');
  });
}
