// GET /metrics in Prometheus' text format. Public, as Prometheus scrapes without credentials: the
// labels hold route patterns, command types and error codes, never ids, emails or tokens. Keep the
// port off the internet (or filter /metrics at the proxy) if the figures themselves are sensitive.
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../http/caller';
import { METRICS, type Metrics } from './metrics';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: Metrics) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: 'Prometheus metrics (no authentication)',
    description:
      'HTTP request durations by route and status, commands by type and outcome (with conflicts and retries), ' +
      'projection lag, job counts by state, rate-limit refusals, and the process metrics.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } })
  async scrape(@Res({ passthrough: true }) reply: FastifyReply) {
    reply.type(this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
