import { Inject, Injectable } from '@nestjs/common';
import { JWTPayload, JWTVerifyGetKey, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { READ_API_SETTINGS, ReadApiSettings } from '../read-api.settings';

export interface VerifiedJwt {
  tenantId: unknown;
  subject?: string;
}

/**
 * JWT bearer tokens, when configured: HS256 with a shared secret and/or RS256 with keys from a
 * JWKS URL (fetched and cached by jose, refetched on an unknown key id). The algorithm must be
 * one configured; `none` and any other are refused.
 */
@Injectable()
export class JwtVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: JWTVerifyGetKey;

  constructor(@Inject(READ_API_SETTINGS) private readonly settings: ReadApiSettings) {
    const { hs256Secret, jwksUrl } = settings.jwt;
    if (hs256Secret) this.secret = new TextEncoder().encode(hs256Secret);
    if (jwksUrl) this.jwks = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30000, cacheMaxAge: 600000 });
  }

  get enabled(): boolean {
    return this.secret !== undefined || this.jwks !== undefined;
  }

  /** Throws on a bad signature, algorithm, expiry, issuer or audience. */
  async verify(token: string): Promise<VerifiedJwt> {
    const { alg } = decodeProtectedHeader(token);
    const { issuer, audience, clockToleranceSeconds } = this.settings.jwt;
    const options = { issuer, audience, clockTolerance: clockToleranceSeconds };
    let payload: JWTPayload;
    if (alg === 'HS256' && this.secret) {
      ({ payload } = await jwtVerify(token, this.secret, { ...options, algorithms: ['HS256'] }));
    } else if (alg === 'RS256' && this.jwks) {
      ({ payload } = await jwtVerify(token, this.jwks, { ...options, algorithms: ['RS256'] }));
    } else {
      throw new Error(`JWT algorithm ${String(alg)} is not accepted`);
    }
    return { tenantId: payload.tenant_id, subject: payload.sub };
  }
}
