// Issue #7, OpenAPI: GET /openapi.json and the Swagger UI at GET /docs describe every route (of the
// application and of API.md) with request and response schemas, the problem+json error shape and the
// bearer scheme. The route list comes from the controllers' own routing metadata, so a route that is
// left out of the spec fails here.
import { Controller, Get, Module, RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiExcludeEndpoint, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { startTestApp, type TestApp } from './support/test-app';

/** Routes the spec deliberately leaves out: the Swagger UI's own files. */
const NOT_API = ['GET /docs/{file}'];

/** API.md's routes, written out from the contract itself. */
const API_MD = [
  'POST /orgs', 'GET /orgs', 'GET /orgs/{orgId}', 'PATCH /orgs/{orgId}', 'DELETE /orgs/{orgId}', 'GET /orgs/{orgId}/permissions',
  'GET /orgs/{orgId}/members', 'GET /orgs/{orgId}/members/{userId}', 'PATCH /orgs/{orgId}/members/{userId}',
  'DELETE /orgs/{orgId}/members/{userId}', 'POST /orgs/{orgId}/leave', 'POST /orgs/{orgId}/ownership-transfer',
  'POST /orgs/{orgId}/invitations', 'GET /orgs/{orgId}/invitations', 'POST /orgs/{orgId}/invitations/{invitationId}/resend',
  'DELETE /orgs/{orgId}/invitations/{invitationId}', 'GET /invitations/{token}', 'POST /invitations/{token}/accept',
  'POST /invitations/{token}/decline', 'GET /me/invitations', 'POST /orgs/{orgId}/activity', 'GET /orgs/{orgId}/activity-log',
  'GET /orgs/{orgId}/events', 'GET /health', 'GET /ready', 'GET /docs', 'GET /openapi.json', 'GET /metrics',
];
const PUBLIC = ['GET /health', 'GET /ready', 'GET /docs', 'GET /openapi.json', 'GET /metrics', 'GET /invitations/{token}'];

const join = (...parts: string[]) => '/' + parts.flatMap((p) => p.split('/')).filter(Boolean).join('/');
const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** Every route the controllers declare, as "METHOD /path/{param}", from Nest's routing metadata. */
function controllerRoutes(app: INestApplication): string[] {
  const routes = new Set<string>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as { prototype: Record<string, unknown> } | null;
      if (!controller) continue;
      const base = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat() as string[];
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const paths = [Reflect.getMetadata(PATH_METADATA, handler) ?? ''].flat() as string[];
        for (const b of base) for (const p of paths) routes.add(`${RequestMethod[method]} ${toOpenApiPath(join(b, p))}`);
      }
    }
  }
  return [...routes].sort();
}

const specRoutes = (spec: OpenAPIObject) =>
  Object.entries(spec.paths)
    .flatMap(([path, item]) => Object.keys(item).filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k)).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();

/** Routes the controllers serve that the spec does not describe. */
const missingFromSpec = (app: INestApplication, spec: OpenAPIObject, allowed: string[] = []) =>
  controllerRoutes(app).filter((route) => !specRoutes(spec).includes(route) && !allowed.includes(route));

const operations = (spec: OpenAPIObject) =>
  Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, method, op: op as any })),
  );

describe('GET /openapi.json', () => {
  let t: TestApp;
  let spec: OpenAPIObject;
  beforeAll(async () => {
    t = await startTestApp();
    const res = await t.request('GET', '/openapi.json'); // no token needed
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    spec = res.body;
  });
  afterAll(() => t.close());

  it('is an OpenAPI 3 document with the bearer scheme required by default', () => {
    expect(spec.openapi).toMatch(/^3\./);
    expect(spec.info.title).toBeTruthy();
    expect(spec.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(spec.security).toEqual([{ bearer: [] }]);
  });

  it('describes every route the controllers declare, and the server serves every route it describes', () => {
    const declared = controllerRoutes(t.app);
    expect(declared.length).toBeGreaterThan(25);
    expect(missingFromSpec(t.app, spec, NOT_API)).toEqual([]);
    const fastify = t.app.getHttpAdapter().getInstance();
    for (const route of specRoutes(spec)) {
      const [method, path] = route.split(' ');
      expect({ route, served: fastify.hasRoute({ method, url: path.replace(/\{(\w+)\}/g, ':$1') }) }).toEqual({ route, served: true });
    }
  });

  it("describes every route of API.md", () => {
    const described = specRoutes(spec);
    expect(API_MD.filter((route) => !described.includes(route))).toEqual([]);
  });

  it('gives every operation a summary, a success answer and problem+json errors', () => {
    for (const { route, op } of operations(spec)) {
      expect({ route, summary: typeof op.summary }).toEqual({ route, summary: 'string' });
      const statuses = Object.keys(op.responses);
      expect({ route, success: statuses.some((s) => /^2\d\d$/.test(s)) }).toEqual({ route, success: true });
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        expect({ route, status, content: op.responses[status].content }).toEqual({
          route,
          status,
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        });
      }
    }
    const problem = spec.components!.schemas!.Problem as any;
    expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']));
    expect(problem.properties.code.enum).toEqual(expect.arrayContaining(['validation_failed', 'not_found', 'rate_limited', 'concurrency_conflict']));
    expect(problem.properties.errors.items.$ref).toBe('#/components/schemas/FieldError');
  });

  it('marks exactly the public routes as needing no token; the others answer 401', () => {
    for (const { route, op } of operations(spec)) {
      const isPublic = PUBLIC.includes(route);
      expect({ route, security: op.security }).toEqual({ route, security: isPublic ? [{}] : undefined });
      expect({ route, has401: '401' in op.responses }).toEqual({ route, has401: !isPublic });
    }
  });

  it('documents request bodies (unknown fields refused) and answer schemas', () => {
    const schemas = spec.components!.schemas as Record<string, any>;
    const body = (route: string) => {
      const { op } = operations(spec).find((o) => o.route === route)!;
      const ref = op.requestBody.content['application/json'].schema.$ref as string;
      return schemas[ref.split('/').pop()!];
    };
    expect(body('POST /orgs')).toMatchObject({ required: ['name'], additionalProperties: false, properties: { name: { type: 'string', maxLength: 100 } } });
    expect(body('POST /orgs/{orgId}/invitations')).toMatchObject({
      required: ['email', 'role'],
      additionalProperties: false,
      properties: { role: { enum: ['admin', 'member'] } },
    });
    expect(body('POST /orgs/{orgId}/activity').properties.items).toMatchObject({ type: 'array', minItems: 1, maxItems: 1000 });
    expect(schemas.ActivityItem).toMatchObject({ required: ['type'], additionalProperties: false });

    const answer = (route: string, status: string) => operations(spec).find((o) => o.route === route)!.op.responses[status];
    expect(answer('POST /orgs', '201').content['application/json'].schema.$ref).toBe('#/components/schemas/Org');
    expect(Object.keys(schemas.Org.properties).sort()).toEqual(['createdAt', 'id', 'memberCount', 'name', 'ownerId']);
    expect(answer('POST /orgs', '201').headers).toHaveProperty('X-Position');
    expect(Object.keys(schemas.Invitation.properties).sort()).toEqual(
      ['email', 'expiresAt', 'id', 'invitedAt', 'invitedBy', 'orgId', 'role', 'status'],
    );
    const roster = answer('GET /orgs/{orgId}/members', '200').content['application/json'].schema;
    expect(roster.required).toEqual(['items', 'nextCursor']);
    expect(roster.properties.items.items.oneOf).toHaveLength(2);
    expect(answer('POST /orgs/{orgId}/invitations', '429').headers).toHaveProperty('Retry-After');
  });

  it('states the conventions: Idempotency-Key on every POST, X-Min-Position on the API reads', () => {
    for (const { route, method, op } of operations(spec)) {
      const headers = (op.parameters ?? []).filter((p: any) => p.in === 'header').map((p: any) => p.name);
      if (method === 'post') expect({ route, headers }).toEqual({ route, headers: expect.arrayContaining(['Idempotency-Key']) });
      if (method === 'get' && !PUBLIC.includes(route)) expect({ route, headers }).toEqual({ route, headers: expect.arrayContaining(['X-Min-Position']) });
    }
  });
});

describe('GET /docs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves the Swagger UI over /openapi.json', async () => {
    const page = await t.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const scripts = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual(expect.arrayContaining(['docs/swagger-ui-bundle.js', 'docs/swagger-ui-init.js', 'docs/swagger-ui.css']));
    for (const file of scripts) {
      const res = await t.request('GET', `/${file}`);
      expect({ file, status: res.status }).toEqual({ file, status: 200 });
    }
    expect((await t.request('GET', '/docs/swagger-ui-init.js')).text).toContain("'openapi.json'");
    expect((await t.request('GET', '/docs/package.json')).status).toBe(404);
  });
});

describe('the completeness check itself', () => {
  @Controller('things')
  class ThingsController {
    @Get()
    list() {
      return [];
    }

    @Get('hidden')
    @ApiExcludeEndpoint()
    hidden() {
      return {};
    }
  }
  @Module({ controllers: [ThingsController] })
  class ThingsModule {}

  it('reports a controller route that the spec leaves out', async () => {
    const app = await NestFactory.create<NestFastifyApplication>(ThingsModule, new FastifyAdapter(), { logger: false });
    try {
      const spec = SwaggerModule.createDocument(app, new DocumentBuilder().build());
      expect(missingFromSpec(app, spec)).toEqual(['GET /things/hidden']);
    } finally {
      await app.close();
    }
  });
});
