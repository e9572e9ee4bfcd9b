// GET /openapi.json and the Swagger UI at GET /docs. The UI's files come from swagger-ui-dist (a
// dependency of @nestjs/swagger), served here because SwaggerModule.setup() needs @fastify/static.
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Public } from './caller';
import { OpenApiDocument } from './openapi-document';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

// Relative links: /docs/... whatever prefix a proxy serves the API under.
const HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Team management API</title>
  <link rel="icon" type="image/png" href="docs/favicon-32x32.png">
  <link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script src="docs/swagger-ui-init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({ url: new URL('openapi.json', document.baseURI).href, dom_id: '#swagger-ui', deepLinking: true });\n`;

const swaggerUiDir = () => dirname(createRequire(require.resolve('@nestjs/swagger')).resolve('swagger-ui-dist/package.json'));

@ApiTags('operations')
@Controller()
export class DocsController {
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly document: OpenApiDocument) {}

  @Get('openapi.json')
  @Public()
  @ApiOperation({ summary: 'This OpenAPI document' })
  @ApiOkResponse({ description: 'OpenAPI 3 document', content: { 'application/json': { schema: { type: 'object' } } } })
  spec() {
    return this.document.get();
  }

  @Get('docs')
  @Public()
  @ApiOperation({ summary: 'Swagger UI over this document' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } })
  ui(@Res({ passthrough: true }) reply: FastifyReply) {
    reply.type('text/html; charset=utf-8');
    return HTML;
  }

  /** The UI's own files (not part of the API). */
  @Get('docs/:file')
  @Public()
  @ApiExcludeEndpoint()
  asset(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply) {
    if (file === 'swagger-ui-init.js') {
      reply.type('application/javascript; charset=utf-8');
      return INIT;
    }
    const type = ASSETS[file];
    if (!type) throw new NotFoundException();
    let content = this.cache.get(file);
    if (!content) this.cache.set(file, (content = readFileSync(join(swaggerUiDir(), file))));
    reply.type(type).header('cache-control', 'public, max-age=86400');
    return content;
  }
}
