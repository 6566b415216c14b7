import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { READ_API_CONTROLLERS } from '../read-api.controllers';

@Module({ controllers: READ_API_CONTROLLERS })
class ReadApiRoutesModule {}

/**
 * The OpenAPI document of /v1, generated from the controllers and their DTOs. Nest's preview
 * mode scans routes and decorators without creating any provider, so no database is needed.
 * openapi.yaml at the repository root is this document; a test fails when they differ.
 */
export async function buildOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(ReadApiRoutesModule, new FastifyAdapter(), { preview: true, logger: false });
  try {
    const config = new DocumentBuilder()
      .setTitle('V-Insight read API')
      .setDescription(
        'Read models of V-Insight core (CONTRACT.md §5). Every /v1 call needs `Authorization: Bearer <token>`: ' +
          'an API key or, where configured, a JWT with a `tenant_id` claim; the tenant always comes from the credential. ' +
          'Errors are application/problem+json (RFC 9457). Lists are keyset-paginated with opaque cursors.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key token, or a JWT with a tenant_id claim' })
      .build();
    return SwaggerModule.createDocument(app, config, { operationIdFactory: (_controller, method) => method });
  } finally {
    await app.close();
  }
}
