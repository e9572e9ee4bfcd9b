// The OpenAPI document of the application, built from the controllers' decorators on first request.
import { Injectable, type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, getSchemaPath, type OpenAPIObject, type OperationObject } from '@nestjs/swagger';
import { ProblemDto } from './openapi';

const DESCRIPTION = `Organizations, members, invitations, roles and activity of an event-sourced team-management service.

- **Authentication**: \`Authorization: Bearer <JWT>\` on every route not marked otherwise.
- **Errors** are \`application/problem+json\` (RFC 9457) with a stable \`code\`.
- **Idempotency**: every POST accepts \`Idempotency-Key\`; the same key from the same caller within 24 h replays the first answer.
- **Read your writes**: commands answer \`X-Position\`; send it as \`X-Min-Position\` on a GET to wait for the read models.
- **Request ids**: \`X-Request-Id\` (1-128 of \`[A-Za-z0-9_.:-]\`) is accepted or generated, echoed on every answer, and recorded as the events' \`correlationId\`.`;

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Team management API')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .addTag('organizations', 'Create, read, rename and delete organizations; what the caller may do in one')
    .addTag('members', 'The roster, role changes, removal, leaving, ownership transfer')
    .addTag('invitations', "An organization's invitations, and the caller's own")
    .addTag('invitation links', "The invitee's side, addressed by the emailed link's token")
    .addTag('activity', 'What members did elsewhere in the product, and the activity log')
    .addTag('event history', 'The immutable, hash-chained domain events (compliance)')
    .addTag('operations', 'Health, readiness, metrics and this documentation (no token needed)')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  for (const [method, operation] of operations(document)) applyConventions(document, method, operation);
  return document;
}

function* operations(document: OpenAPIObject): Generator<[string, OperationObject]> {
  for (const path of Object.values(document.paths)) {
    for (const [method, operation] of Object.entries(path)) {
      if (['get', 'put', 'post', 'delete', 'patch'].includes(method)) yield [method, operation as OperationObject];
    }
  }
}

const problemContent = () => ({ 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } });
const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' as const } } };
const addProblem = (operation: OperationObject, status: number, description: string, headers?: typeof RETRY_AFTER) => {
  operation.responses[status] ??= { description, content: problemContent(), ...(headers ? { headers } : {}) };
};

const SUCCESS: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted', '204': 'No Content' };

/** What the global guard, interceptors and body limits do to every route, stated once here. */
function applyConventions(document: OpenAPIObject, method: string, operation: OperationObject) {
  const isPublic = operation.security?.length === 1 && Object.keys(operation.security[0]).length === 0;
  const isOperations = operation.tags?.includes('operations') ?? false;
  if (!isPublic) addProblem(operation, 401, '`unauthenticated`: missing, malformed, expired or wrongly signed token');
  if (method === 'post') {
    (operation.parameters ??= []).push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: '1-255 characters. The same key from the same caller within 24 h replays the first answer without doing the work again',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    });
    addProblem(operation, 422, '`idempotency_key_reused`: the key was used with a different request');
  }
  if (method === 'get' && !isOperations) {
    (operation.parameters ??= []).push({
      name: 'X-Min-Position',
      in: 'header',
      required: false,
      description: "A command's X-Position: the answer waits (up to 5 s) until the read models include it",
      schema: { type: 'string' },
    });
    addProblem(operation, 503, '`read_model_lagging`: the read models did not reach X-Min-Position in 5 s', RETRY_AFTER);
  }
  for (const [status, response] of Object.entries(operation.responses)) {
    if (response && 'description' in response && !response.description) response.description = SUCCESS[status] ?? 'Answer';
  }
  if (operation.requestBody) {
    addProblem(operation, 400, '`validation_failed`: a field is missing, of the wrong type, or not known');
    addProblem(operation, 413, '`payload_too_large`: the body exceeds 100 KiB');
    closeSchemas(document, operation.requestBody);
  }
}

/** Request bodies refuse unknown fields (400): say so with additionalProperties: false, nested models too. */
function closeSchemas(document: OpenAPIObject, node: unknown) {
  if (!node || typeof node !== 'object') return;
  const ref = (node as { $ref?: string }).$ref;
  if (typeof ref === 'string') {
    const schema = document.components?.schemas?.[ref.split('/').pop()!] as Record<string, unknown> | undefined;
    if (schema && schema.additionalProperties === undefined) {
      schema.additionalProperties = false;
      closeSchemas(document, schema);
    }
    return;
  }
  for (const value of Object.values(node)) closeSchemas(document, value);
}

/** Holds the document's factory (set by create-app.ts, which has the application) and its result. */
@Injectable()
export class OpenApiDocument {
  private build?: () => OpenAPIObject;
  private document?: OpenAPIObject;

  setFactory(build: () => OpenAPIObject) {
    this.build = build;
  }

  get(): OpenAPIObject {
    if (!this.build) throw new Error('the OpenAPI document has no factory (createApp sets it)');
    return (this.document ??= this.build());
  }
}
