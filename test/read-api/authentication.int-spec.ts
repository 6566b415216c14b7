import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { randomUUID } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import { Pool } from 'pg';
import request from 'supertest';
import { TenantSeed, bearer, daysAgo } from './read-api.fixtures';
import { NOW, ReadApiTestApp, projectorPool, startReadApi } from './read-api.harness';

const HS256_SECRET = 'read-api-test-secret-of-at-least-32-bytes';

describe('read API authentication', () => {
  let pool: Pool;
  const seeds: TenantSeed[] = [];
  const tenant = async (overrides: { isActive?: boolean; deleted?: boolean } = {}) => {
    const seed = new TenantSeed(pool);
    seeds.push(seed);
    await seed.insertTenant(overrides);
    await seed.insertApiKey(seed.apiKeyId, seed.token);
    return seed;
  };

  beforeAll(() => {
    pool = projectorPool();
  });

  afterAll(async () => {
    for (const seed of seeds) await seed.delete();
    await pool.end();
  });

  describe('API keys', () => {
    let api: ReadApiTestApp;
    beforeAll(async () => {
      api = await startReadApi();
    });
    afterAll(() => api.close());

    it('refuses a missing or malformed Authorization header with 401 problem+json', async () => {
      const missing = await request(api.server).get('/v1/tenant').expect(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer');
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(missing.body).toMatchObject({ type: 'urn:vinsight:problem:unauthenticated', status: 401, title: 'Unauthorized' });
      await request(api.server).get('/v1/tenant').set('authorization', 'Basic dXNlcjpwYXNz').expect(401);
      await request(api.server).get('/v1/tenant').set('authorization', 'Bearer').expect(401);
      await request(api.server)
        .get('/v1/tenant')
        .set(bearer('x'.repeat(10000)))
        .expect(401);
    });

    it('refuses an unknown token', async () => {
      await request(api.server)
        .get('/v1/tenant')
        .set(bearer(`vk_${randomUUID()}`))
        .expect(401);
    });

    it('accepts a key before its expiry and refuses it after (401)', async () => {
      const seed = await tenant();
      const later = `vk_${randomUUID()}`;
      const expired = `vk_${randomUUID()}`;
      await seed.insertApiKey(randomUUID(), later, { expiresAt: new Date(NOW.getTime() + 60000) });
      await seed.insertApiKey(randomUUID(), expired, { expiresAt: new Date(NOW.getTime() - 1) });
      await request(api.server).get('/v1/tenant').set(bearer(later)).expect(200);
      const response = await request(api.server).get('/v1/tenant').set(bearer(expired)).expect(401);
      expect(response.body.detail).toMatch(/expired/);
    });

    it('refuses a revoked key (401), within two seconds of the revocation', async () => {
      const seed = await tenant();
      await request(api.server).get('/v1/monitors').set(bearer(seed.token)).expect(200);
      await pool.query('UPDATE api_keys SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2', [seed.tenantId, seed.apiKeyId, daysAgo(0)]);
      const revokedAt = performance.now();
      let status = 200;
      while (status === 200 && performance.now() - revokedAt < 5000) {
        status = (await request(api.server).get('/v1/monitors').set(bearer(seed.token))).status;
        if (status === 200) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(status).toBe(401);
      expect(performance.now() - revokedAt).toBeLessThan(2000);
    });

    it('answers 403 for a deactivated tenant and 401 for a deleted or unknown one', async () => {
      const inactive = await tenant({ isActive: false });
      const forbidden = await request(api.server).get('/v1/tenant').set(bearer(inactive.token)).expect(403);
      expect(forbidden.body).toMatchObject({ type: 'urn:vinsight:problem:tenant-inactive', status: 403 });
      const deleted = await tenant({ deleted: true });
      await request(api.server).get('/v1/tenant').set(bearer(deleted.token)).expect(401);
      const orphan = new TenantSeed(pool);
      seeds.push(orphan);
      await orphan.insertApiKey(orphan.apiKeyId, orphan.token);
      await request(api.server).get('/v1/monitors').set(bearer(orphan.token)).expect(401);
    });

    it('serves /openapi.json without credentials', async () => {
      await request(api.server).get('/openapi.json').expect(200);
    });
  });

  describe('JWT', () => {
    let api: ReadApiTestApp;
    let jwks: Server;
    let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
    let otherRsa: Awaited<ReturnType<typeof generateKeyPair>>;

    beforeAll(async () => {
      rsa = await generateKeyPair('RS256');
      otherRsa = await generateKeyPair('RS256');
      const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
      jwks = createServer((_, response) => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
      const { port } = jwks.address() as AddressInfo;
      api = await startReadApi({
        settings: { jwt: { hs256Secret: HS256_SECRET, jwksUrl: `http://127.0.0.1:${port}/jwks.json`, clockToleranceSeconds: 5 } },
      });
    });

    afterAll(async () => {
      await api.close();
      await new Promise((resolve) => jwks.close(resolve));
    });

    const hs256 = (claims: Record<string, unknown>, secret = HS256_SECRET, expiresIn: string | number = '5m') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('dashboard')
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(new TextEncoder().encode(secret));

    it('accepts an HS256 token naming its tenant in tenant_id', async () => {
      const seed = await tenant();
      const response = await request(api.server)
        .get('/v1/tenant')
        .set(bearer(await hs256({ tenant_id: seed.tenantId })))
        .expect(200);
      expect(response.body.id).toBe(seed.tenantId);
    });

    it('accepts an RS256 token whose key is in the JWKS and refuses one signed by another key', async () => {
      const seed = await tenant();
      const sign = (key: Parameters<SignJWT['sign']>[0]) =>
        new SignJWT({ tenant_id: seed.tenantId }).setProtectedHeader({ alg: 'RS256', kid: 'key-1' }).setExpirationTime('5m').sign(key);
      const response = await request(api.server)
        .get('/v1/tenant')
        .set(bearer(await sign(rsa.privateKey)))
        .expect(200);
      expect(response.body.id).toBe(seed.tenantId);
      await request(api.server)
        .get('/v1/tenant')
        .set(bearer(await sign(otherRsa.privateKey)))
        .expect(401);
    });

    it('refuses bad signatures, expired tokens, missing or malformed tenant claims and alg none', async () => {
      const seed = await tenant();
      await request(api.server)
        .get('/v1/tenant')
        .set(bearer(await hs256({ tenant_id: seed.tenantId }, 'another-secret-of-at-least-32-bytes!')))
        .expect(401);
      await request(api.server)
        .get('/v1/tenant')
        .set(bearer(await hs256({ tenant_id: seed.tenantId }, HS256_SECRET, Math.floor(Date.now() / 1000) - 60)))
        .expect(401);
      await request(api.server)
        .get('/v1/tenant')
        .set(bearer(await hs256({})))
        .expect(401);
      await request(api.server)
        .get('/v1/tenant')
        .set(bearer(await hs256({ tenant_id: 'acme' })))
        .expect(401);
      const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ tenant_id: seed.tenantId })).toString('base64url')}.x`;
      await request(api.server).get('/v1/tenant').set(bearer(none)).expect(401);
    });

    it('applies the tenant states to JWTs too: 403 deactivated, 401 deleted or unknown', async () => {
      const inactive = await tenant({ isActive: false });
      await request(api.server)
        .get('/v1/tenant')
        .set(bearer(await hs256({ tenant_id: inactive.tenantId })))
        .expect(403);
      const deleted = await tenant({ deleted: true });
      await request(api.server)
        .get('/v1/tenant')
        .set(bearer(await hs256({ tenant_id: deleted.tenantId })))
        .expect(401);
      await request(api.server)
        .get('/v1/tenant')
        .set(bearer(await hs256({ tenant_id: randomUUID() })))
        .expect(401);
    });

    it('still accepts API keys', async () => {
      const seed = await tenant();
      await request(api.server).get('/v1/tenant').set(bearer(seed.token)).expect(200);
    });
  });

  describe('rate limiting', () => {
    let api: ReadApiTestApp;
    beforeAll(async () => {
      api = await startReadApi({ settings: { rateLimit: { requestsPerSecond: 0.5, burst: 3 } } });
    });
    afterAll(() => api.close());

    it('answers 429 problem+json with Retry-After once a key has spent its burst, per key', async () => {
      const seed = await tenant();
      const other = await tenant();
      for (let i = 0; i < 3; i++) {
        const ok = await request(api.server).get('/v1/tenant').set(bearer(seed.token)).expect(200);
        expect(ok.headers['ratelimit-limit']).toBe('3');
        expect(ok.headers['ratelimit-remaining']).toBe(String(2 - i));
        // Full again after the spent requests refill at 0.5 per second.
        expect(ok.headers['ratelimit-reset']).toBe(String(2 * (i + 1)));
      }
      const limited = await request(api.server).get('/v1/tenant').set(bearer(seed.token)).expect(429);
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(limited.body).toMatchObject({ type: 'urn:vinsight:problem:rate-limited', status: 429 });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(limited.headers['ratelimit-reset']).toBe('6');
      await request(api.server).get('/v1/tenant').set(bearer(other.token)).expect(200);
    });
  });
});
