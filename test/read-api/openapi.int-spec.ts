import { buildReadApiOpenApiDocument, openApiYaml } from '@vinsight/read-api';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { parse, stringify } from 'yaml';
import { ReadApiTestApp, startReadApi } from './read-api.harness';

const OPENAPI_FILE = join(__dirname, '..', '..', 'openapi.yaml');

/** Every endpoint and parameter of CONTRACT §5, and the extensions since (region, by). */
const CONTRACT: Record<string, string[]> = {
  '/v1/tenant': [],
  '/v1/users': ['limit', 'cursor', 'role', 'active'],
  '/v1/users/{id}': ['id'],
  '/v1/monitors': ['limit', 'cursor', 'status', 'active', 'q'],
  '/v1/monitors/{id}': ['id'],
  '/v1/monitors/{id}/checks': ['id', 'from', 'to', 'status', 'region', 'limit', 'cursor'],
  '/v1/monitors/{id}/uptime': ['id', 'window', 'region', 'by'],
  '/v1/monitors/{id}/stats': ['id', 'from', 'to', 'granularity', 'region'],
  '/v1/monitors/{id}/incidents': ['id', 'open', 'limit', 'cursor'],
  '/v1/incidents': ['monitorId', 'open', 'from', 'to', 'limit', 'cursor'],
  '/v1/summary': [],
  '/v1/audit-events': ['type', 'limit', 'cursor'],
  '/v1/maintenance-windows': ['monitorId', 'active', 'limit', 'cursor'],
  '/v1/stream': ['types', 'monitorId', 'lastEventId', 'Last-Event-ID'],
};

describe('OpenAPI document', () => {
  let api: ReadApiTestApp;

  beforeAll(async () => {
    api = await startReadApi();
  });
  afterAll(() => api.close());

  it('openapi.yaml is the document generated from the code', async () => {
    const generated = openApiYaml(await buildReadApiOpenApiDocument(), stringify);
    if (process.env.UPDATE_OPENAPI === '1') writeFileSync(OPENAPI_FILE, generated);
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    // On failure: regenerate with UPDATE_OPENAPI=1 (see the file's header) and commit the result.
    expect(committed).toBe(generated);
  });

  it('documents every endpoint and parameter of the contract, and nothing but GETs', async () => {
    const document = parse(readFileSync(OPENAPI_FILE, 'utf8'));
    expect(Object.keys(document.paths).sort()).toEqual(Object.keys(CONTRACT).sort());
    for (const [path, parameters] of Object.entries(CONTRACT)) {
      expect(Object.keys(document.paths[path])).toEqual(['get']);
      const operation = document.paths[path].get;
      const named = (operation.parameters ?? []).map((p: { name: string }) => p.name).filter((n: string) => n !== 'X-Consistency-Token');
      expect(named.sort()).toEqual([...parameters].sort());
      expect(operation.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '429', '503']));
    }
  });

  it('is served at /openapi.json and Swagger UI at /docs', async () => {
    const json = await request(api.server).get('/openapi.json').expect(200);
    expect(json.body).toEqual(parse(readFileSync(OPENAPI_FILE, 'utf8')));
    const page = await request(api.server).get('/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('/openapi.json');
    const bundle = await request(api.server).get('/docs/swagger-ui-bundle.js').expect(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    await request(api.server).get('/docs/swagger-ui.css').expect(200);
    const missing = await request(api.server).get('/docs/..%2Fpackage.json').expect(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
