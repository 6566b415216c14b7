import { problem } from '@vinsight/contracts';
import { isReadApiPath } from './read-api-paths';
import { correlationIdFrom, requestIdFrom } from './request-ids';

describe('problem details', () => {
  it('builds RFC 9457 bodies, with field errors only when there are some', () => {
    expect(problem(404, 'not-found', 'monitor not found')).toEqual({
      type: 'urn:vinsight:problem:not-found',
      title: 'Not Found',
      status: 404,
      detail: 'monitor not found',
    });
    expect(problem(400, 'validation-failed', 'bad', [{ field: 'limit', message: 'too big' }]).errors).toEqual([
      { field: 'limit', message: 'too big' },
    ]);
    expect(problem(400, 'validation-failed', 'bad', []).errors).toBeUndefined();
  });

  it('applies to the read API paths only', () => {
    for (const path of ['/v1', '/v1/monitors', '/v1?x=1', '/docs', '/docs/swagger-ui.css', '/openapi.json'])
      expect(isReadApiPath(path)).toBe(true);
    for (const path of ['/health/ready', '/metrics', '/v10', '/v1x', '/openapi.jsonx']) expect(isReadApiPath(path)).toBe(false);
  });

  it('reuses sane request and correlation ids and replaces others', () => {
    expect(requestIdFrom('abc-123')).toBe('abc-123');
    expect(requestIdFrom(['first', 'second'])).toBe('first');
    expect(requestIdFrom('has space')).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom('x'.repeat(129))).toMatch(/^[0-9a-f-]{36}$/);
    expect(correlationIdFrom(undefined, 'req')).toBe('req');
    expect(correlationIdFrom('corr', 'req')).toBe('corr');
  });
});
