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
  const connectTimeouts: number[] = [];
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
    connect: async (settings, timeoutMs) => {
      connectedWith.push(settings);
      connectTimeouts.push(timeoutMs);
      const execute = async (envelope: OutgoingEnvelope) => {
        published.push(envelope);
        const result = answer(envelope);
        if (result instanceof Error) throw result;
        return result;
      };
      return {
        execute,
        dispatch: (envelopes) => ({ sent: Promise.resolve(), results: envelopes.map(execute) }),
        disconnect: async () => {
          disconnects += 1;
        },
      };
    },
  };
  return { deps, out, published, connectedWith, connectTimeouts, disconnects: () => disconnects };
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
      const code = await runCli(
        ['command', 'send', '--type', 'RenameTenant', '--tenant', TENANT, '--payload', '{"name":"Acme"}'],
        run.deps,
      );
      expect(code).toBe(EXIT.ACCEPTED);
      expect(run.published).toEqual([
        expect.objectContaining({
          commandId: '00000000-0000-4000-8000-000000000001',
          type: 'RenameTenant',
          tenantId: TENANT,
          payload: { name: 'Acme' },
        }),
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
      const code = await runCli(
        [
          'command',
          'send',
          '--type',
          'DeleteTenant',
          '--tenant',
          TENANT,
          '--command-id',
          '7c1e4f0e-3a55-4d43-9a5b-0f3c1d2e8a10',
          '--timeout',
          '50',
        ],
        run.deps,
      );
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
      expect(run.out.stderr).toContain('Usage: npm run --silent cli');
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

  describe('verbs that make their ids', () => {
    it('tenant create generates the tenant id (the message key), and prints it with the result', async () => {
      const run = harness(accepted);
      expect(await runCli(['tenant', 'create', '--name', 'Acme', '--slug', 'acme', '--plan', 'pro'], run.deps)).toBe(EXIT.ACCEPTED);
      const generated = '00000000-0000-4000-8000-000000000001';
      expect(run.published[0]).toMatchObject({
        type: 'CreateTenant',
        tenantId: generated,
        payload: { name: 'Acme', slug: 'acme', plan: 'pro' },
      });
      expect(run.published[0].payload).not.toHaveProperty('tenantId');
      expect(JSON.parse(run.out.stdout)).toEqual({ tenantId: generated, result: accepted(run.published[0]) });
    });

    it('monitor create and check record generate monitorId and checkId, and stamp checkedAt', async () => {
      const run = harness(accepted);
      expect(
        await runCli(
          ['monitor', 'create', '--tenant', TENANT, '--name', 'Home', '--url', 'https://example.com/', '--interval', '60'],
          run.deps,
        ),
      ).toBe(EXIT.ACCEPTED);
      const monitor = JSON.parse(run.out.stdout);
      expect(monitor).toMatchObject({ tenantId: TENANT, monitorId: '00000000-0000-4000-8000-000000000001' });
      expect(run.published[0]).toMatchObject({
        type: 'CreateMonitor',
        tenantId: TENANT,
        payload: { monitorId: monitor.monitorId, name: 'Home', url: 'https://example.com/', checkInterval: 60 },
      });
      run.out.stdout = '';
      const argv = [
        'check',
        'record',
        '--tenant',
        TENANT,
        '--monitor',
        monitor.monitorId,
        '--status',
        'up',
        '--latency-ms',
        '12.5',
        '--status-code',
        '200',
      ];
      expect(await runCli(argv, run.deps)).toBe(EXIT.ACCEPTED);
      expect(run.published[1]).toMatchObject({
        type: 'RecordCheckResult',
        payload: {
          monitorId: monitor.monitorId,
          checkId: '00000000-0000-4000-8000-000000000003',
          status: 'up',
          responseTimeMs: 12.5,
          statusCode: 200,
          checkedAt: '2025-01-15T12:00:00.000Z',
        },
      });
      expect(JSON.parse(run.out.stdout)).toMatchObject({
        tenantId: TENANT,
        checkId: '00000000-0000-4000-8000-000000000003',
        checkedAt: '2025-01-15T12:00:00.000Z',
      });
    });

    it('maintenance schedule generates the window id, with a weekly recurrence; maintenance cancel names it', async () => {
      const run = harness(accepted);
      const argv = ['maintenance', 'schedule', '--tenant', TENANT, '--title', 'Backups', '--starts-at', '2025-01-16T00:00:00Z'];
      const weekly = ['--days', 'sat,Sun', '--start-time', '02:00', '--duration-minutes', '90', '--timezone', 'Europe/Paris'];
      expect(await runCli([...argv, ...weekly], run.deps)).toBe(EXIT.ACCEPTED);
      const windowId = '00000000-0000-4000-8000-000000000001';
      expect(run.published[0]).toMatchObject({
        type: 'ScheduleMaintenance',
        tenantId: TENANT,
        payload: {
          maintenanceWindowId: windowId,
          title: 'Backups',
          startsAt: '2025-01-16T00:00:00Z',
          recurrence: { daysOfWeek: ['sat', 'sun'], startTime: '02:00', durationMinutes: 90, timezone: 'Europe/Paris' },
        },
      });
      expect(run.published[0].payload).not.toHaveProperty('monitorId');
      expect(JSON.parse(run.out.stdout)).toMatchObject({ maintenanceWindowId: windowId });
      expect(await runCli(['maintenance', 'cancel', '--tenant', TENANT, '--window', windowId], run.deps)).toBe(EXIT.ACCEPTED);
      expect(run.published[1]).toMatchObject({ type: 'CancelMaintenance', payload: { maintenanceWindowId: windowId } });
    });

    it('maintenance schedule refuses a window without an end or with half a recurrence, before sending', async () => {
      const run = harness(accepted);
      const argv = ['maintenance', 'schedule', '--tenant', TENANT, '--starts-at', '2025-01-16T00:00:00Z'];
      expect(await runCli(argv, run.deps)).toBe(EXIT.USAGE);
      expect(await runCli([...argv, '--days', 'sat'], run.deps)).toBe(EXIT.USAGE);
      expect(
        await runCli([...argv, '--days', 'caturday', '--start-time', '02:00', '--duration-minutes', '5', '--timezone', 'UTC'], run.deps),
      ).toBe(EXIT.USAGE);
      expect(run.published).toEqual([]);
    });

    it('user register generates the user id', async () => {
      const run = harness(accepted);
      const hash = '$2b$10$abcdefghijklmnopqrstuuTxOyDBUgeJQVSJ3XlWJ3w5h0D/fFmDS';
      expect(
        await runCli(
          ['user', 'register', '--tenant', TENANT, '--email', 'a@example.com', '--password-hash', hash, '--role', 'admin'],
          run.deps,
        ),
      ).toBe(EXIT.ACCEPTED);
      expect(run.published[0]).toMatchObject({
        type: 'RegisterUser',
        payload: { userId: '00000000-0000-4000-8000-000000000001', email: 'a@example.com', passwordHash: hash, role: 'admin' },
      });
    });

    it('--output prints one field as plain text for a shell variable; a rejection goes to stderr', async () => {
      const run = harness(accepted);
      expect(await runCli(['tenant', 'create', '--name', 'Acme', '--slug', 'acme', '--output', 'tenantId'], run.deps)).toBe(EXIT.ACCEPTED);
      expect(run.out.stdout).toBe('00000000-0000-4000-8000-000000000001\n');
      run.out.stdout = '';
      expect(await runCli(['api-key', 'create', '--tenant', TENANT, '--name', 'ci', '-o', 'result.position'], run.deps)).toBe(
        EXIT.ACCEPTED,
      );
      expect(run.out.stdout).toBe('djEucDA\n');

      const refused = harness(rejected);
      expect(
        await runCli(
          ['monitor', 'create', '--tenant', TENANT, '--name', 'x', '--url', 'https://x/', '--output', 'monitorId'],
          refused.deps,
        ),
      ).toBe(EXIT.REJECTED);
      expect(refused.out.stdout).toBe('');
      expect(JSON.parse(refused.out.stderr)).toMatchObject({ status: 'rejected' });

      const typo = harness(accepted);
      expect(await runCli(['tenant', 'create', '--name', 'Acme', '--slug', 'acme', '--output', 'tenant'], typo.deps)).toBe(EXIT.ERROR);
      expect(typo.out.stdout).toBe('');
      expect(typo.out.stderr).toContain('no field "tenant"');
    });

    it('on a timeout, names the command to send again with the same ids', async () => {
      const run = harness((envelope) => new Error(`no 1 result(s) for command ${envelope.commandId} within 10 ms (have 0)`));
      expect(
        await runCli(
          ['monitor', 'create', '--tenant', TENANT, '--name', 'Home', '--url', 'https://example.com/', '--timeout', '10'],
          run.deps,
        ),
      ).toBe(EXIT.ERROR);
      expect(run.out.stderr).toContain('--command-id 00000000-0000-4000-8000-000000000002 --type CreateMonitor');
      expect(run.out.stderr).toContain('"monitorId":"00000000-0000-4000-8000-000000000001"');
    });

    it.each([
      [['tenant', 'create', '--name', 'Acme'], /tenant create needs --slug/],
      [['tenant', 'create', '--name', 'Acme', '--slug', 'a', '--plan', 'gold'], /--plan must be one of free, pro, enterprise/],
      [['monitor', 'create', '--tenant', TENANT, '--name', 'x'], /monitor create needs --url/],
      [['check', 'record', '--tenant', TENANT, '--monitor', 'm', '--status', 'up'], /--monitor must be a UUID/],
      [['check', 'record', '--tenant', TENANT, '--monitor', TENANT, '--status', 'sideways'], /--status must be one of up, down, error/],
      [
        ['check', 'record', '--tenant', TENANT, '--monitor', TENANT, '--status', 'up', '--latency-ms', 'fast'],
        /--latency-ms must be a number/,
      ],
    ])('exits 2 without connecting on %j', async (argv, message) => {
      const run = harness(accepted);
      expect(await runCli(argv, run.deps)).toBe(EXIT.USAGE);
      expect(run.out.stderr).toMatch(message);
      expect(run.connectedWith).toEqual([]);
    });
  });

  describe('command send --file with NDJSON', () => {
    const line = (fields: Record<string, unknown>) =>
      JSON.stringify({ type: 'RenameTenant', tenantId: TENANT, payload: { name: 'n' }, ...fields });

    it('sends every line over one connection, prints one JSON line per input line with its number, and a summary with the rate', async () => {
      const text = [line({ commandId: 'a' }), '', line({ commandId: 'b', type: 'DeleteTenant' }), line({ commandId: 'c' })].join('\n');
      const run = harness((envelope) => (envelope.type === 'DeleteTenant' ? rejected(envelope) : accepted(envelope)), {
        'cmds.ndjson': text,
      });
      expect(await runCli(['command', 'send', '--file', 'cmds.ndjson', '--timeout', '5000'], run.deps)).toBe(EXIT.REJECTED);
      expect(run.connectedWith).toHaveLength(1);
      expect(run.connectTimeouts).toEqual([5000]);
      const printed = run.out.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(printed.map((p) => [p.line, p.commandId, p.status]).sort()).toEqual([
        [1, 'a', 'accepted'],
        [3, 'b', 'rejected'],
        [4, 'c', 'accepted'],
      ]);
      expect(run.out.stderr).toMatch(/^sent 3 commands in [\d.]+ s: 2 accepted, 1 rejected, 0 invalid, 0 unknown \(\d+ commands\/s\)\n$/);
      expect(run.disconnects()).toBe(1);
    });

    it('reads NDJSON from standard input too; a bad line is reported and the others are still sent (exit 2)', async () => {
      const text = `${line({ commandId: 'a' })}\n{oops\n${line({ commandId: 'a' })}\n${line({ type: undefined })}\n`;
      const run = harness(accepted, { '-': text });
      expect(await runCli(['command', 'send', '--file', '-'], run.deps)).toBe(EXIT.USAGE);
      const printed = run.out.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(printed.filter((p) => p.status === 'invalid').map((p) => [p.line, p.error.code])).toEqual([
        [2, 'INVALID_LINE'],
        [3, 'INVALID_LINE'],
        [4, 'INVALID_LINE'],
      ]);
      expect(printed.find((p) => p.line === 3).error.message).toContain('already used on line 1');
      expect(run.published.map((e) => e.commandId)).toEqual(['a']);
    });

    it('a line with no result in time is "unknown" with its commandId, and the run exits 1', async () => {
      const text = [line({ commandId: 'a' }), line({ commandId: 'slow' })].join('\n');
      const run = harness(
        (envelope) =>
          envelope.commandId === 'slow' ? new Error('no 1 result(s) for command slow within 10 ms (have 0)') : accepted(envelope),
        { 'c.jsonl': text },
      );
      expect(await runCli(['command', 'send', '--file', 'c.jsonl', '--timeout', '10'], run.deps)).toBe(EXIT.ERROR);
      const slow = run.out.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .find((p) => p.line === 2);
      expect(slow).toMatchObject({ commandId: 'slow', status: 'unknown', error: { code: 'TIMEOUT' } });
    });

    it('refuses --command-id with a batch: every line needs its own', async () => {
      const run = harness(accepted, { 'x.ndjson': line({}) });
      expect(
        await runCli(['command', 'send', '--file', 'x.ndjson', '--command-id', '7c1e4f0e-3a55-4d43-9a5b-0f3c1d2e8a10'], run.deps),
      ).toBe(EXIT.USAGE);
      expect(run.connectedWith).toEqual([]);
    });
  });

  it('a failed connect is one line on stderr and exit 1', async () => {
    const run = harness(accepted);
    run.deps = {
      ...run.deps,
      connect: async () => Promise.reject(new Error('cannot connect to Kafka at 127.0.0.1:1 (KAFKA_BROKERS) within 50 ms')),
    };
    expect(await runCli(['tenant', 'create', '--name', 'A', '--slug', 'a', '--timeout', '50'], run.deps)).toBe(EXIT.ERROR);
    expect(run.out.stderr).toBe('error: cannot connect to Kafka at 127.0.0.1:1 (KAFKA_BROKERS) within 50 ms\n');
  });

  it('hands projections to the projections CLI with its arguments and exit status', async () => {
    const run = harness(accepted);
    const calls: (readonly string[])[] = [];
    run.deps = { ...run.deps, projections: async (args) => (calls.push(args), 1) };
    expect(await runCli(['projections', 'parked', 'list', '--all'], run.deps)).toBe(1);
    expect(calls).toEqual([['parked', 'list', '--all']]);
  });

  it('prints the usage on help and exits 0 without connecting', async () => {
    const run = harness(accepted);
    expect(await runCli(['--help'], run.deps)).toBe(EXIT.ACCEPTED);
    expect(run.out.stdout).toContain('command send --file');
    expect(run.connectedWith).toEqual([]);
  });
});
