// Idempotency-Key on POST: the same key from the same caller within 24 h replays the first answer
// (status, body and headers such as X-Position) without running the command again; the same key
// with another body is refused. Requests with one key run one after the other, so two racing
// retries cannot both do the work.
import { Inject, Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import canonicalize from 'canonicalize';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { IdempotencyStore, StoredResponse } from '../idempotency/idempotency-store';
import { IDEMPOTENCY_STORE } from '../injection-tokens';
import { keyedLock } from '../keyed-lock';
import type { AuthenticatedRequest } from './caller';
import { ApiError, toProblem } from './problem';

/** Headers of a command's answer worth replaying. */
const REPLAYED_HEADERS = ['x-position', 'location'];

/** Thrown to replay a stored error answer through the problem filter unchanged. */
export class ReplayedProblem extends ApiError {}

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly withLock = keyedLock();
  private readonly logger = new Logger('Idempotency');

  constructor(@Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = request.headers['idempotency-key'];
    if (request.method !== 'POST' || key === undefined) return next.handle();
    if (typeof key !== 'string' || key.length < 1 || key.length > 255) {
      throw new ApiError('validation_failed', 'Idempotency-Key must be 1 to 255 characters', [
        { field: 'Idempotency-Key', message: 'must be 1 to 255 characters' },
      ]);
    }
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const caller = request.principal?.sub ?? `anonymous:${request.ip}`;
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${canonicalize(request.body ?? null)}`)
      .digest('hex');
    return from(this.withLock(`${caller}\u0000${key}`, () => this.run(caller, key, requestHash, reply, next)));
  }

  private async run(caller: string, key: string, requestHash: string, reply: FastifyReply, next: CallHandler) {
    // Unknown whether this is a retry: better to have the client retry than to do the work twice.
    const stored = await this.store.get(caller, key, new Date()).catch((error: Error) => {
      throw new ApiError('unavailable', `the idempotency store is not answering (${error.message}); retry shortly`, undefined, { 'retry-after': '1' });
    });
    if (stored) return replay(stored, requestHash, reply);
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      // The work is done: answer it even if it cannot be remembered.
      await this.store
        .put(caller, key, { requestHash, status: reply.statusCode, body, headers: pick(reply) }, new Date())
        .catch((error: Error) => this.logger.warn(`Idempotency-Key answer not stored: ${error.message}`));
      return body;
    } catch (error) {
      const problem = toProblem(error);
      // Transient answers are not remembered: a retry with the same key should get a real chance.
      if (problem.status < 500 && problem.status !== 429 && problem.code !== 'concurrency_conflict') {
        await this.store
          .put(caller, key, { requestHash, status: problem.status, body: problem, headers: {} }, new Date())
          .catch((e: Error) => this.logger.warn(`Idempotency-Key answer not stored: ${e.message}`));
      }
      throw error;
    }
  }
}

function replay(stored: StoredResponse, requestHash: string, reply: FastifyReply) {
  if (stored.requestHash !== requestHash) {
    throw new ApiError('idempotency_key_reused', 'this Idempotency-Key was used with a different request');
  }
  const headers = { ...stored.headers, 'idempotent-replayed': 'true' };
  if (stored.status >= 400) {
    const p = stored.body as { code: string; detail: string; errors?: [] };
    throw new ReplayedProblem(p.code, p.detail, p.errors, headers);
  }
  reply.headers(headers);
  return stored.body;
}

function pick(reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  return headers;
}
