import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { EventStore } from '../../libs/platform/event-store/event-store';
import { Public } from '../../libs/platform/http/caller';
import { ApiProblem } from '../../libs/platform/http/openapi';
import { ApiError } from '../../libs/platform/http/problem';
import { EVENT_STORE, JOB_QUEUE, READ_STORE } from '../../libs/platform/injection-tokens';
import type { ReadStore } from '../../libs/platform/read-store/read-store';
import type { JobQueue } from '../../libs/platform/jobs/job-queue';

/** How long /ready waits for each part before calling it failing. */
const CHECK_TIMEOUT_MS = 2000;

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
  ) {}

  /** Liveness: answers while the process serves. */
  @Get('health')
  @Public()
  @ApiOperation({ summary: 'Liveness: 200 while the process serves' })
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } })
  health() {
    return { status: 'ok' };
  }

  /** Readiness: every part a request needs answers. */
  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Readiness: 200 when the event store, the read store and the job queue answer' })
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', enum: ['ready'] } } } })
  @ApiProblem(503, 'unavailable')
  async ready() {
    const checks: Array<[string, () => unknown]> = [
      ['event store', () => this.store.headPosition()],
      ['read store', () => this.readStore.ping()],
      ['job queue', () => this.queue.ping()],
    ];
    const failing: string[] = [];
    await Promise.all(checks.map(async ([part, check]) => ((await answers(check)) ? undefined : failing.push(part))));
    if (failing.length > 0) throw new ApiError('unavailable', `not ready: ${failing.join(', ')} not answering`, undefined, { 'retry-after': '1' });
    return { status: 'ready' };
  }
}

async function answers(check: () => unknown): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS)));
  try {
    return await Promise.race([Promise.resolve().then(check).then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
