/**
 * Jest cannot load two files of @nestjs/swagger's dependency tree through
 * test/esm-to-cjs.transformer.js: both declare `const require = createRequire(import.meta.url)`,
 * which is a redeclaration once wrapped as CommonJS (the transformer could rewrite that line;
 * see the read API's hand-over note). Neither is used by the read API:
 * - swagger-ui.js serves Swagger UI through SwaggerModule.setup (DocsController serves it itself);
 * - mapped-types' type-helpers.utils backs PartialType/PickType/..., which the read API's DTOs do
 *   not use (a test would fail loudly if one did: these stubs throw).
 * Imported for its side effect by every read-api test before the library.
 */
const unavailable = () => {
  throw new Error('not available under Jest (see test/read-api/swagger.jest-stub.ts)');
};

jest.mock('../../node_modules/@nestjs/swagger/dist/swagger-ui/swagger-ui.js', () => ({
  buildSwaggerInitJS: unavailable,
  buildSwaggerHTML: unavailable,
  getSwaggerAssetsAbsoluteFSPath: unavailable,
}));

jest.mock('../../node_modules/@nestjs/mapped-types/dist/type-helpers.utils.js', () => ({
  applyIsOptionalDecorator: unavailable,
  applyValidateIfDefinedDecorator: unavailable,
  inheritValidationMetadata: unavailable,
  inheritTransformationMetadata: unavailable,
  inheritPropertyInitializers: unavailable,
}));

export {};
