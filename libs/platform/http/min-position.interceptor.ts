// Read your writes: a GET carrying X-Min-Position (a command's X-Position) is answered only once the
// read models include that position, waiting up to 5 s, then 503 read_model_lagging.
import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { from, switchMap, type Observable } from 'rxjs';
import { PROJECTION_RUNNER } from '../injection-tokens';
import type { ProjectionRunner } from '../projections/projection-runner';
import { ApiError } from './problem';

export const MIN_POSITION_WAIT_MS = 5000;

@Injectable()
export class MinPositionInterceptor implements NestInterceptor {
  constructor(@Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers['x-min-position'];
    if (request.method !== 'GET' || header === undefined) return next.handle();
    if (typeof header !== 'string' || !/^\d{1,15}$/.test(header)) {
      throw new ApiError('validation_failed', 'X-Min-Position must be a position from an X-Position header', [
        { field: 'X-Min-Position', message: 'must be a value of an X-Position header' },
      ]);
    }
    return from(this.runner.waitFor(Number(header), MIN_POSITION_WAIT_MS)).pipe(
      switchMap((reached) => {
        if (!reached) throw new ApiError('read_model_lagging', 'the read models have not caught up yet; try again', undefined, { 'retry-after': '1' });
        return next.handle();
      }),
    );
  }
}
