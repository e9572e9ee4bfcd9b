import { Controller, Get } from '@nestjs/common';
import { Public } from '../../libs/platform/http/caller';

@Controller()
export class HealthController {
  /** Liveness: answers while the process serves. */
  @Get('health')
  @Public()
  health() {
    return { status: 'ok' };
  }
}
