import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { EnvironmentVariables } from './environment.schema';

export interface ConfigProblem {
  variable: string;
  message: string;
}

/** TLS to the brokers; `ca` unset means Node's default trust store. */
export interface KafkaTlsConfig {
  ca?: string[];
  cert?: string;
  key?: string;
  /** Where `ca` came from, for start-up errors that name it. */
  caFile?: string;
}

export interface KafkaSaslConfig {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
  /** Set when the password came from KAFKA_SASL_PASSWORD_FILE, so errors name that variable. */
  passwordFile?: string;
}

export interface KafkaSecurityConfig {
  ssl?: KafkaTlsConfig;
  sasl?: KafkaSaslConfig;
}

/** The connection-string variables whose TLS parameters are checked at boot. */
export const DATABASE_URL_VARIABLES = ['DATABASE_URL', 'PROJECTOR_DATABASE_URL', 'API_DATABASE_URL', 'REPLICA_DATABASE_URL'] as const;

/**
 * sslmodes pg 8 honours as documented. pg (without `uselibpqcompat=true`) verifies the server's
 * certificate and host name for require, verify-ca and verify-full alike; `prefer`, `allow` and
 * `no-verify` would connect to an impostor (or in clear) and are refused here.
 */
const SSL_MODES = new Set(['disable', 'require', 'verify-ca', 'verify-full']);

type Read = (path: string) => string;
const readText: Read = (path) => readFileSync(path, 'utf8');

/**
 * Reads and checks the Kafka TLS and SASL files and settings. Every file is read here, at boot, so
 * a missing Secret mount or a wrong path stops the process with the variable's name instead of
 * surfacing as a connection failure later.
 */
export function kafkaSecurity(v: EnvironmentVariables, problems: ConfigProblem[], read: Read = readText): KafkaSecurityConfig {
  return { ssl: kafkaTls(v, problems, read), sasl: kafkaSasl(v, problems, read) };
}

function kafkaTls(v: EnvironmentVariables, problems: ConfigProblem[], read: Read): KafkaTlsConfig | undefined {
  const files = {
    KAFKA_SSL_CA_FILE: v.KAFKA_SSL_CA_FILE,
    KAFKA_SSL_CERT_FILE: v.KAFKA_SSL_CERT_FILE,
    KAFKA_SSL_KEY_FILE: v.KAFKA_SSL_KEY_FILE,
  };
  if (!v.KAFKA_SSL) {
    for (const [variable, path] of Object.entries(files)) {
      if (path !== undefined) problems.push({ variable, message: `is set but KAFKA_SSL is not true (got ${JSON.stringify(path)})` });
    }
    return undefined;
  }
  const tls: KafkaTlsConfig = {};
  if (v.KAFKA_SSL_CA_FILE !== undefined) {
    const ca = readPem('KAFKA_SSL_CA_FILE', v.KAFKA_SSL_CA_FILE, 'certificate', problems, read);
    if (ca) Object.assign(tls, { ca: [ca.text], caFile: v.KAFKA_SSL_CA_FILE });
  }
  if ((v.KAFKA_SSL_CERT_FILE === undefined) !== (v.KAFKA_SSL_KEY_FILE === undefined)) {
    const [missing, present] =
      v.KAFKA_SSL_CERT_FILE === undefined ? ['KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] : ['KAFKA_SSL_KEY_FILE', 'KAFKA_SSL_CERT_FILE'];
    problems.push({ variable: missing, message: `is required with ${present} (mutual TLS needs both the certificate and its key)` });
    return tls;
  }
  if (v.KAFKA_SSL_CERT_FILE !== undefined && v.KAFKA_SSL_KEY_FILE !== undefined) {
    const cert = readPem('KAFKA_SSL_CERT_FILE', v.KAFKA_SSL_CERT_FILE, 'certificate', problems, read);
    const key = readPem('KAFKA_SSL_KEY_FILE', v.KAFKA_SSL_KEY_FILE, 'key', problems, read);
    if (cert?.certificate && key?.key && !cert.certificate.checkPrivateKey(key.key)) {
      problems.push({
        variable: 'KAFKA_SSL_KEY_FILE',
        message: `is not the private key of the certificate in KAFKA_SSL_CERT_FILE (got ${JSON.stringify(v.KAFKA_SSL_KEY_FILE)})`,
      });
    } else if (cert && key) {
      Object.assign(tls, { cert: cert.text, key: key.text });
    }
  }
  return tls;
}

function kafkaSasl(v: EnvironmentVariables, problems: ConfigProblem[], read: Read): KafkaSaslConfig | undefined {
  const mechanism = v.KAFKA_SASL_MECHANISM;
  const credentials = {
    KAFKA_SASL_USERNAME: v.KAFKA_SASL_USERNAME,
    KAFKA_SASL_PASSWORD: v.KAFKA_SASL_PASSWORD,
    KAFKA_SASL_PASSWORD_FILE: v.KAFKA_SASL_PASSWORD_FILE,
  };
  if (mechanism === undefined) {
    const set = Object.entries(credentials)
      .filter(([, value]) => value !== undefined)
      .map(([variable]) => variable);
    if (set.length > 0)
      problems.push({
        variable: 'KAFKA_SASL_MECHANISM',
        message: `is required when ${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set (plain, scram-sha-256 or scram-sha-512)`,
      });
    return undefined;
  }
  const before = problems.length;
  if (v.KAFKA_SASL_USERNAME === undefined)
    problems.push({ variable: 'KAFKA_SASL_USERNAME', message: `is required with KAFKA_SASL_MECHANISM=${mechanism}` });
  let password: string | undefined;
  if (v.KAFKA_SASL_PASSWORD !== undefined && v.KAFKA_SASL_PASSWORD_FILE !== undefined) {
    problems.push({ variable: 'KAFKA_SASL_PASSWORD_FILE', message: 'and KAFKA_SASL_PASSWORD are both set: set exactly one' });
  } else if (v.KAFKA_SASL_PASSWORD_FILE !== undefined) {
    const text = readFile('KAFKA_SASL_PASSWORD_FILE', v.KAFKA_SASL_PASSWORD_FILE, problems, read);
    // A Secret written with `echo` ends with a newline that is not part of the password.
    password = text?.replace(/\r?\n$/, '');
    if (text !== undefined && !password)
      problems.push({ variable: 'KAFKA_SASL_PASSWORD_FILE', message: `is empty (got ${JSON.stringify(v.KAFKA_SASL_PASSWORD_FILE)})` });
  } else if (v.KAFKA_SASL_PASSWORD !== undefined) {
    password = v.KAFKA_SASL_PASSWORD;
  } else {
    problems.push({
      variable: 'KAFKA_SASL_PASSWORD',
      message: `or KAFKA_SASL_PASSWORD_FILE is required with KAFKA_SASL_MECHANISM=${mechanism}`,
    });
  }
  if (problems.length > before || password === undefined || v.KAFKA_SASL_USERNAME === undefined) return undefined;
  return {
    mechanism,
    username: v.KAFKA_SASL_USERNAME,
    password,
    ...(v.KAFKA_SASL_PASSWORD_FILE ? { passwordFile: v.KAFKA_SASL_PASSWORD_FILE } : {}),
  };
}

/**
 * Postgres TLS is configured in each connection string, as libpq and the golang-migrate CLI
 * read it (`?sslmode=verify-full&sslrootcert=/path/ca.crt`); pg reads the files on every new
 * connection. Checked here so a wrong path or mode names its variable at boot.
 */
export function postgresTlsProblems(v: EnvironmentVariables, problems: ConfigProblem[], read: Read = readText): void {
  for (const variable of DATABASE_URL_VARIABLES) {
    const value = v[variable];
    if (value === undefined) continue;
    let params: URLSearchParams;
    try {
      params = new URL(value).searchParams;
    } catch {
      problems.push({ variable, message: 'is not a valid URL' });
      continue;
    }
    const mode = params.get('sslmode');
    if (mode !== null && !SSL_MODES.has(mode)) {
      problems.push({ variable, message: `has sslmode=${mode}; use verify-full (or require, verify-ca, disable)` });
    }
    const files: [string, 'certificate' | 'key'][] = [
      ['sslrootcert', 'certificate'],
      ['sslcert', 'certificate'],
      ['sslkey', 'key'],
    ];
    for (const [parameter, kind] of files) {
      const path = params.get(parameter);
      if (path !== null) readPem(variable, path, kind, problems, read, parameter);
    }
    if (params.get('sslcert') !== null && params.get('sslkey') === null) problems.push({ variable, message: 'has sslcert without sslkey' });
  }
}

function readFile(variable: string, path: string, problems: ConfigProblem[], read: Read, parameter?: string): string | undefined {
  try {
    return read(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    problems.push({ variable, message: `${parameter ? `${parameter} ` : ''}file ${JSON.stringify(path)} cannot be read (${code})` });
    return undefined;
  }
}

function readPem(
  variable: string,
  path: string,
  kind: 'certificate' | 'key',
  problems: ConfigProblem[],
  read: Read,
  parameter?: string,
): { text: string; certificate?: X509Certificate; key?: KeyObject } | undefined {
  const text = readFile(variable, path, problems, read, parameter);
  if (text === undefined) return undefined;
  try {
    return kind === 'certificate' ? { text, certificate: new X509Certificate(text) } : { text, key: createPrivateKey(text) };
  } catch {
    const what = kind === 'certificate' ? 'a PEM certificate' : 'an unencrypted PEM private key';
    problems.push({ variable, message: `${parameter ? `${parameter} ` : ''}file ${JSON.stringify(path)} is not ${what}` });
    return undefined;
  }
}
