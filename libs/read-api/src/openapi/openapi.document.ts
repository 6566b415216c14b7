import { DynamicModule, Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { APP_CONFIG } from '@vinsight/config';
import { API_POOL } from '@vinsight/database';

/** What the platform provides to ReadApiHttpModule; preview mode only needs the tokens to exist. */
@Global()
@Module({
  providers: [
    { provide: APP_CONFIG, useValue: null },
    { provide: API_POOL, useValue: null },
  ],
  exports: [APP_CONFIG, API_POOL],
})
class PlatformTokensModule {}

/**
 * The OpenAPI document of /v1, generated from the controllers and their DTOs of `readApiModule`
 * (ReadApiHttpModule.forRoot(), passed in so that this file does not import the module that
 * serves the document). Nest's preview mode scans routes and decorators without creating any
 * provider, so no database is needed. openapi.yaml at the repository root is this document; a
 * test fails when they differ.
 */
export async function buildOpenApiDocument(readApiModule: DynamicModule): Promise<OpenAPIObject> {
  @Module({ imports: [PlatformTokensModule, readApiModule] })
  class ReadApiDocumentModule {}

  const app = await NestFactory.create(ReadApiDocumentModule, new FastifyAdapter(), { preview: true, logger: false, abortOnError: false });
  try {
    const config = new DocumentBuilder()
      .setTitle('V-Insight read API')
      .setDescription(
        'Read models of V-Insight core. Every /v1 call needs `Authorization: Bearer <token>`: ' +
          'an API key or, where configured, a JWT with a `tenant_id` claim; the tenant always comes from the credential. ' +
          'Errors are application/problem+json (RFC 9457), including 404 for unknown paths and 405 (with Allow) for a method a path does not serve. ' +
          'Lists are keyset-paginated with opaque cursors; /stats returns every bucket of its range, zeros where there were no checks. ' +
          'Browsers on the origins of CORS_ALLOWED_ORIGINS may call the API (GET, HEAD; preflights answered).',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key token, or a JWT with a tenant_id claim' })
      .build();
    return SwaggerModule.createDocument(app, config, { operationIdFactory: (_controller, method) => method });
  } finally {
    await app.close();
  }
}
