import 'reflect-metadata';
import { createHash } from 'node:crypto';
import type { CommandResultLike } from '@vinsight/kafka';
import { API_KEY_WARNING, CliDependencies, runCli } from './cli';
import type { OutgoingEnvelope } from './envelope/command-envelope.builder';
import { EXIT } from './exit-codes';
import type { CliSettings } from './settings/cli.settings';

const TENANT = '0d3f6a8e-0c5e-4b5e-9d7f-5c2b1a0e9f11';

/** A run of the CLI against a scripted command processor; records what it was asked to publish. */
function harness(answer: (envelope: OutgoingEnvelope) => CommandResultLike | Error, files: Record<string, string> = {}) {
  const published: OutgoingEnvelope[] = [];
  const connectedWith: CliSettings[] = [];
  let disconnects = 0;
  let ids = 0;
  const out = { stdout: '', stderr: '' };
  const deps: CliDependencies = {
    env: { KAFKA_TOPIC_PREFIX: 'test.' },
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    readFile: async (path) => {
      if (!(path in files)) throw new Error(`ENOENT: no such file, open '${path}'`);
      return files[path];
    },
    readStdin: async () => files['-'] ?? '',
    randomBytes: (size) => Buffer.alloc(size, 7),
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    now: () => new Date('2025-01-15T12:00:00.000Z'),
    connect: async (settings) => {
      connectedWith.push(settings);
      return {
        execute: async (envelope) => {
          published.push(envelope);
          const result = answer(envelope);
          if (result instanceof Error) throw result;
          return result;
        },
        disconnect: async () => {
          disconnects += 1;
        },
      };
    },
  };
  return { deps, out, published, connectedWith, disconnects: () => disconnects };
}

const accepted = (envelope: OutgoingEnvelope): CommandResultLike => ({
  commandId: envelope.commandId,
  correlationId: envelope.commandId,
  tenantId: envelope.tenantId,
  type: envelope.type,
  status: 'accepted',
  aggregateId: TENANT,
  version: 1,
  position: 'djEucDA',
  duplicate: false,
  processedAt: '2025-01-15T12:00:00.010Z',
});
const rejected = (envelope: OutgoingEnvelope): CommandResultLike => ({
  ...accepted(envelope),
  status: 'rejected',
  error: { code: 'NOT_FOUND', message: 'tenant not found', details: [] },
});

describe('runCli', () => {
  describe('command send', () => {
    it('publishes the command, prints its result as JSON and exits 0 when accepted', async () => {
      const run = harness(accepted);
      const code = await runCli(['command', 'send', '--type', 'RenameTenant', '--tenant', TENANT, '--payload', '{"name":"Acme"}'], run.deps);
      expect(code).toBe(EXIT.ACCEPTED);
      expect(run.published).toEqual([
        expect.objectContaining({ commandId: '00000000-0000-4000-8000-000000000001', type: 'RenameTenant', tenantId: TENANT, payload: { name: 'Acme' } }),
      ]);
      expect(JSON.parse(run.out.stdout)).toEqual(accepted(run.published[0]));
      expect(run.out.stderr).toBe('');
      expect(run.connectedWith[0]).toMatchObject({ topicPrefix: 'test.', clientId: 'vinsight-core.cli' });
      expect(run.disconnects()).toBe(1);
    });

    it('exits 3 on a rejection, printing the result with its error', async () => {
      const run = harness(rejected);
      const code = await runCli(['command', 'send', '--type', 'DeleteTenant', '--tenant', TENANT], run.deps);
      expect(code).toBe(EXIT.REJECTED);
      expect(JSON.parse(run.out.stdout)).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' } });
    });

    it('sends a file (or standard input) with flags replacing its fields', async () => {
      const file = JSON.stringify({ commandId: 'c-1', type: 'RenameTenant', tenantId: TENANT, payload: { name: 'From file' } });
      const run = harness(accepted, { 'cmd.json': file, '-': file });
      expect(await runCli(['command', 'send', '--file', 'cmd.json', '--expected-version', '4'], run.deps)).toBe(EXIT.ACCEPTED);
      expect(await runCli(['command', 'send', '--file', '-'], run.deps)).toBe(EXIT.ACCEPTED);
      expect(run.published[0]).toMatchObject({ commandId: 'c-1', expectedVersion: 4, payload: { name: 'From file' } });
      expect(run.published[1]).not.toHaveProperty('expectedVersion');
    });

    it('exits 1 on a timeout, naming the command id to retry with, and still disconnects', async () => {
      const run = harness((envelope) => new Error(`no 1 result(s) for command ${envelope.commandId} within 50 ms (have 0)`));
      const code = await runCli(['command', 'send', '--type', 'DeleteTenant', '--tenant', TENANT, '--command-id', '7c1e4f0e-3a55-4d43-9a5b-0f3c1d2e8a10', '--timeout', '50'], run.deps);
      expect(code).toBe(EXIT.ERROR);
      expect(run.out.stdout).toBe('');
      expect(run.out.stderr).toContain('no result for DeleteTenant 7c1e4f0e-3a55-4d43-9a5b-0f3c1d2e8a10 within 50 ms');
      expect(run.out.stderr).toContain('--command-id 7c1e4f0e-3a55-4d43-9a5b-0f3c1d2e8a10');
      expect(run.disconnects()).toBe(1);
    });

    it('exits 1 when Kafka fails', async () => {
      const run = harness(() => new Error('Connection error: connect ECONNREFUSED 127.0.0.1:1'));
      expect(await runCli(['command', 'send', '--type', 'DeleteTenant', '--tenant', TENANT], run.deps)).toBe(EXIT.ERROR);
      expect(run.out.stderr).toBe('error: Connection error: connect ECONNREFUSED 127.0.0.1:1\n');
    });

    it.each([
      [['command', 'send', '--file', 'missing.json'], /cannot read missing.json: ENOENT/],
      [['command', 'send', '--file', 'broken.json'], /broken.json is not JSON/],
      [['command', 'send', '--tenant', 'acme', '--type', 'DeleteTenant'], /--tenant must be a UUID/],
      [['command', 'publish'], /unknown command "command publish"/],
    ])('exits 2 without publishing on %j', async (argv, message) => {
      const run = harness(accepted, { 'broken.json': '{' });
      expect(await runCli(argv, run.deps)).toBe(EXIT.USAGE);
      expect(run.published).toEqual([]);
      expect(run.out.stderr).toMatch(message);
      expect(run.out.stderr).toContain('Usage: npm run cli');
    });

    it('exits 2 on a bad Kafka setting, naming the variable', async () => {
      const run = harness(accepted);
      run.deps = { ...run.deps, env: { KAFKA_BROKERS: 'nowhere' } } as CliDependencies;
      expect(await runCli(['command', 'send', '--type', 'DeleteTenant', '--tenant', TENANT], run.deps)).toBe(EXIT.USAGE);
      expect(run.out.stderr).toContain('KAFKA_BROKERS: must be a comma-separated list of host:port');
      expect(run.published).toEqual([]);
    });
  });

  describe('api-key create', () => {
    const argv = ['api-key', 'create', '--tenant', TENANT, '--name', 'deploy', '--expires-at', '2026-01-01T00:00:00Z'];

    it('publishes only the SHA-256 and prints the token once, with a warning on stderr', async () => {
      const run = harness(accepted);
      expect(await runCli(argv, run.deps)).toBe(EXIT.ACCEPTED);
      const printed = JSON.parse(run.out.stdout);
      const token = `vik_${Buffer.alloc(32, 7).toString('base64url')}`;
      expect(printed).toEqual({
        apiKeyId: '00000000-0000-4000-8000-000000000001',
        tenantId: TENANT,
        name: 'deploy',
        expiresAt: '2026-01-01T00:00:00Z',
        token,
        result: accepted(run.published[0]),
      });
      expect(run.out.stdout.split(token)).toHaveLength(2);
      expect(run.out.stderr).toBe(API_KEY_WARNING);
      expect(run.published[0]).toMatchObject({
        type: 'IssueApiKey',
        tenantId: TENANT,
        payload: { apiKeyId: printed.apiKeyId, name: 'deploy', tokenSha256: createHash('sha256').update(token).digest('hex') },
      });
      expect(JSON.stringify(run.published)).not.toContain(token);
    });

    it('prints no token when the key is rejected, and exits 3', async () => {
      const run = harness(rejected);
      expect(await runCli(argv, run.deps)).toBe(EXIT.REJECTED);
      expect(run.out.stdout).not.toContain('vik_');
      expect(run.out.stderr).toBe('');
      expect(JSON.parse(run.out.stdout)).toMatchObject({ status: 'rejected' });
    });

    it('on a timeout, names the key id to revoke rather than suggest a retry', async () => {
      const run = harness(() => new Error('no 1 result(s) for command x within 10 ms (have 0)'));
      expect(await runCli([...argv, '--timeout', '10'], run.deps)).toBe(EXIT.ERROR);
      expect(run.out.stdout).toBe('');
      expect(run.out.stderr).toContain('revoke API key 00000000-0000-4000-8000-000000000001');
      expect(run.out.stderr).not.toContain('vik_');
    });
  });

  it('prints the usage on help and exits 0 without connecting', async () => {
    const run = harness(accepted);
    expect(await runCli(['--help'], run.deps)).toBe(EXIT.ACCEPTED);
    expect(run.out.stdout).toContain('command send --file');
    expect(run.connectedWith).toEqual([]);
  });
});
