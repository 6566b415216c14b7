import { Controller, Get, Header, Inject, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiExcludeController, OpenAPIObject } from '@nestjs/swagger';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { NotFoundError } from '../errors/read-api.errors';
import { OPENAPI_DOCUMENT_FACTORY, OpenApiDocumentFactory } from './openapi.tokens';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

function swaggerUiDirectory(): string {
  const swagger = require.resolve('@nestjs/swagger');
  return dirname(require.resolve('swagger-ui-dist/package.json', { paths: [swagger] }));
}

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>V-Insight read API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"><link rel="icon" href="/docs/favicon-32x32.png"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });</script>
</body></html>`;

/** /openapi.json (the document generated from code) and Swagger UI at /docs. */
@ApiExcludeController()
@Controller()
export class DocsController {
  private document?: Promise<OpenAPIObject>;

  constructor(@Inject(OPENAPI_DOCUMENT_FACTORY) private readonly buildDocument: OpenApiDocumentFactory) {}

  @Get('openapi.json')
  openApi(): Promise<OpenAPIObject> {
    this.document ??= this.buildDocument();
    return this.document;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  @Get('docs/:asset')
  async asset(@Param('asset') asset: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const type = Object.hasOwn(ASSETS, asset) ? ASSETS[asset] : undefined;
    if (!type) throw new NotFoundError('document');
    reply.header('content-type', type).header('cache-control', 'public, max-age=86400');
    return readFile(join(swaggerUiDirectory(), asset));
  }
}
