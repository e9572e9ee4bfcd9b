// Every route needs a valid bearer token unless marked @Public().
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Unauthenticated, type TokenVerifier } from '../auth/token-verifier';
import { TOKEN_VERIFIER } from '../injection-tokens';
import { PUBLIC_ROUTE, type AuthenticatedRequest } from './caller';

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verify: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const [scheme, token, ...rest] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length > 0) {
      throw new Unauthenticated('a bearer token is required');
    }
    request.principal = await this.verify(token);
    return true;
  }
}
