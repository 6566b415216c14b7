import { Client } from 'pg';

/**
 * Errors of connecting to Postgres that no retry cures: the server's certificate is not trusted
 * (a wrong or missing sslrootcert), the password or the pg_hba rule refuses the role (including a
 * `hostssl`-only rule meeting a connection without TLS), or the server does not offer TLS at all.
 * Start-up stops on them with the variable's name instead of waiting for a server that is up.
 */
export type PostgresMisconfiguration = 'tls-trust' | 'tls-host-name' | 'tls-not-offered' | 'authentication';

export interface PostgresConfigurationFailure {
  kind: PostgresMisconfiguration;
  reason: string;
}

const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

/** invalid_authorization_specification (pg_hba.conf refused) and invalid_password. */
const AUTHENTICATION_SQLSTATES = new Set(['28000', '28P01']);

export function postgresConfigurationFailure(error: unknown): PostgresConfigurationFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const reason = typeof message === 'string' ? message : String(error);
  if (typeof code === 'string') {
    if (TLS_TRUST_CODES.has(code)) return { kind: 'tls-trust', reason: `${reason} (${code})` };
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { kind: 'tls-host-name', reason };
    if (AUTHENTICATION_SQLSTATES.has(code)) return { kind: 'authentication', reason: `${reason} (${code})` };
  }
  // pg's own wording when the server answers the SSLRequest with "no".
  if (/does not support SSL connections/i.test(reason)) return { kind: 'tls-not-offered', reason };
  return undefined;
}

/** Connects once and runs `SELECT 1`; rejects with pg's error (classify it with postgresConfigurationFailure). */
export async function connectPostgresOnce(connectionString: string, timeoutMs: number): Promise<void> {
  const client = new Client({ connectionString, application_name: 'vinsight-boot', connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}
