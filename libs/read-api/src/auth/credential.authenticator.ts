import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { QueryResult } from 'pg';
import { EVERY_TENANT, tenantScopeFromColumn, withTenant } from '@vinsight/database';
import { CLOCK, Clock } from '@vinsight/runtime';
import { ReadModelsDatabase } from '../database/read-models.database';
import { sha256Literal, uuidLiteral } from '../database/sql-literals';
import { TenantInactiveError, UnauthenticatedError } from '../errors/read-api.errors';
import { ReadModelListener } from '../notifications/read-model.listener';
import { READ_API_SETTINGS, ReadApiSettings } from '../read-api.settings';
import { CredentialCache } from './credential-cache';
import { JwtVerifier } from './jwt.verifier';

export interface Principal {
  tenantId: string;
  credentialId: string;
}

interface TenantState {
  exists: boolean;
  isActive: boolean;
  deleted: boolean;
}

interface ApiKeyRecord {
  keyId: string;
  tenantId: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  tenant: TenantState;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 8192;

/** How a request is authenticated: `fresh` reads the database, never the cache. */
export interface AuthenticateOptions {
  fresh?: boolean;
}

/**
 * Turns `Authorization: Bearer <token>` into the tenant. API keys are looked up by the SHA-256
 * of the token; JWTs (when configured) name the tenant in their `tenant_id` claim. Lookups read
 * the primary (a replica could still show a revoked key) and are cached for
 * `credentialCacheMs` (monotonic time); expiry is checked on every request against the clock.
 * The projector notifies every change of a tenant or its API keys, and the cache forgets that
 * tenant's entries then (and unknown keys, which an issued key may now be); the time to live
 * bounds staleness only while those notifications are not heard.
 *
 * Revoked or expired key, unknown or deleted tenant: 401. Deactivated tenant: 403.
 */
@Injectable()
export class CredentialAuthenticator {
  private readonly apiKeys: CredentialCache<ApiKeyRecord | null>;
  private readonly tenants: CredentialCache<TenantState>;

  constructor(
    private readonly database: ReadModelsDatabase,
    private readonly jwt: JwtVerifier,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(READ_API_SETTINGS) settings: ReadApiSettings,
    listener: ReadModelListener,
  ) {
    this.apiKeys = new CredentialCache(settings.credentialCacheMs, settings.credentialCacheMaxEntries);
    this.tenants = new CredentialCache(settings.credentialCacheMs, settings.credentialCacheMaxEntries);
    listener.subscribe({
      credentials: (tenantId) => this.forget(tenantId),
      // Whatever changed while nothing was heard is unknown: forget everything.
      listening: () => this.forget(EVERY_TENANT),
    });
  }

  /** The bearer token of the header; 401 when there is none (checked before anything costly). */
  bearerToken(authorization: string | string[] | undefined): string {
    const header = Array.isArray(authorization) ? authorization[0] : authorization;
    const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
    if (!match) throw new UnauthenticatedError('an Authorization: Bearer <token> header is required');
    const token = match[1];
    if (token.length > MAX_TOKEN_LENGTH) throw new UnauthenticatedError('the bearer token is not valid');
    return token;
  }

  async authenticate(authorization: string | string[] | undefined, options: AuthenticateOptions = {}): Promise<Principal> {
    const token = this.bearerToken(authorization);
    if (this.jwt.enabled && JWT_SHAPE.test(token)) return this.authenticateJwt(token, options);
    return this.authenticateApiKey(token, options);
  }

  private forget(tenantId: string): void {
    if (tenantId === EVERY_TENANT) {
      this.apiKeys.drop();
      this.tenants.drop();
      return;
    }
    this.apiKeys.drop((record) => record === null || record.tenantId === tenantId);
    this.tenants.drop((_, key) => key === tenantId);
  }

  private async authenticateApiKey(token: string, options: AuthenticateOptions): Promise<Principal> {
    const hash = createHash('sha256').update(token, 'utf8').digest('hex');
    let record = options.fresh ? undefined : this.apiKeys.get(hash, performance.now());
    if (record === undefined) {
      const generation = this.apiKeys.generation;
      record = await this.lookUpApiKey(hash);
      this.apiKeys.set(hash, record, performance.now(), generation);
    }
    const now = this.clock.now();
    if (record === null) throw new UnauthenticatedError('the API key is not valid');
    if (record.revokedAt !== null) throw new UnauthenticatedError('the API key has been revoked');
    if (record.expiresAt !== null && record.expiresAt.getTime() <= now.getTime()) {
      throw new UnauthenticatedError('the API key has expired');
    }
    this.checkTenant(record.tenant);
    return { tenantId: record.tenantId, credentialId: record.keyId };
  }

  private async authenticateJwt(token: string, options: AuthenticateOptions): Promise<Principal> {
    let claims;
    try {
      claims = await this.jwt.verify(token);
    } catch {
      throw new UnauthenticatedError('the bearer token is not valid');
    }
    if (typeof claims.tenantId !== 'string' || !UUID.test(claims.tenantId)) {
      throw new UnauthenticatedError('the token has no valid tenant_id claim');
    }
    const tenantId = claims.tenantId.toLowerCase();
    let tenant = options.fresh ? undefined : this.tenants.get(tenantId, performance.now());
    if (tenant === undefined) {
      const generation = this.tenants.generation;
      tenant = await this.lookUpTenant(tenantId);
      this.tenants.set(tenantId, tenant, performance.now(), generation);
    }
    this.checkTenant(tenant);
    return { tenantId, credentialId: `jwt:${tenantId}:${claims.subject ?? ''}` };
  }

  private checkTenant(tenant: TenantState): void {
    if (!tenant.exists || tenant.deleted) throw new UnauthenticatedError('the tenant of this credential does not exist');
    if (!tenant.isActive) throw new TenantInactiveError();
  }

  /**
   * One round trip: the key is visible through the api_key_lookup policy (keyed by the hash),
   * which also yields the tenant; the tenant row is then read under that tenant's scope.
   */
  private async lookUpApiKey(hash: string): Promise<ApiKeyRecord | null> {
    const sql = `SET TRANSACTION READ ONLY;
      SELECT set_config('app.api_key_token_sha256', ${sha256Literal(hash)}, true);
      SELECT ${tenantScopeFromColumn('k.tenant_id')}, k.tenant_id, k.id, k.expires_at, k.revoked_at
        FROM api_keys k WHERE k.token_sha256 = ${sha256Literal(hash)};
      SELECT t.is_active, t.deleted_at FROM tenants t
        WHERE t.id = (SELECT k.tenant_id FROM api_keys k WHERE k.token_sha256 = ${sha256Literal(hash)})`;
    const results = (await this.database.primaryPool.query(sql)) as unknown as QueryResult[];
    const key = results[2].rows[0] as { tenant_id: string; id: string; expires_at: Date | null; revoked_at: Date | null } | undefined;
    if (!key) return null;
    const tenant = results[3].rows[0] as { is_active: boolean; deleted_at: Date | null } | undefined;
    return {
      keyId: key.id,
      tenantId: key.tenant_id,
      expiresAt: key.expires_at,
      revokedAt: key.revoked_at,
      tenant: { exists: tenant !== undefined, isActive: tenant?.is_active ?? false, deleted: tenant?.deleted_at != null },
    };
  }

  private async lookUpTenant(tenantId: string): Promise<TenantState> {
    const [tenant] = await withTenant<{ is_active: boolean; deleted_at: Date | null }>(
      this.database.primaryPool,
      tenantId,
      `SELECT is_active, deleted_at FROM tenants WHERE id = ${uuidLiteral(tenantId)}`,
    );
    return { exists: tenant !== undefined, isActive: tenant?.is_active ?? false, deleted: tenant?.deleted_at != null };
  }
}
