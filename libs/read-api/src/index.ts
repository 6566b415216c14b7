export { ReadApiHttpModule, buildReadApiOpenApiDocument } from './read-api-http.module';
export type { ReadApiHttpOptions } from './read-api-http.module';
export { READ_API_SETTINGS, readApiSettings } from './read-api.settings';
export type { ReadApiSettings } from './read-api.settings';
export { ReplicaRouter } from './database/replica-router';
export type { ReadTarget } from './database/replica-router';
export { openApiYaml } from './openapi/openapi.yaml-text';
export { ReadModelListener } from './notifications/read-model.listener';
