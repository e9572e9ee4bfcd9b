// The authenticated caller of a request, and the marker of routes that need no token.
import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal';

export const PUBLIC_ROUTE = 'publicRoute';
/** The route needs no bearer token (health, an invitation link's preview). In OpenAPI, an empty
 * security requirement overrides the document's bearer requirement. */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_ROUTE, true), ApiSecurity({}));

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal!;
});
