import type { OpenAPIObject } from '@nestjs/swagger';

/** Builds the OpenAPI document of the read API (provided by ReadApiHttpModule). */
export const OPENAPI_DOCUMENT_FACTORY = Symbol('OPENAPI_DOCUMENT_FACTORY');
export type OpenApiDocumentFactory = () => Promise<OpenAPIObject>;
