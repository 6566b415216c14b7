import { UsageError } from '../exit-codes';
import { DEFAULT_TIMEOUT_MS, parseCliArguments } from './cli-arguments';

const TENANT = '0d3f6a8e-0c5e-4b5e-9d7f-5c2b1a0e9f11';
const COMMAND_ID = '7c1e4f0e-3a55-4d43-9a5b-0f3c1d2e8a10';

const usageError = (argv: string[]) => {
  try {
    parseCliArguments(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
};

describe('parseCliArguments', () => {
  describe('command send', () => {
    it('reads every envelope flag, lower-casing ids and parsing the payload and version', () => {
      expect(
        parseCliArguments([
          'command',
          'send',
          '--type',
          'CreateMonitor',
          '--tenant',
          TENANT.toUpperCase(),
          '--payload',
          '{"monitorId":"m","name":"Home"}',
          '--command-id',
          COMMAND_ID,
          '--expected-version',
          '0',
          '--correlation-id',
          COMMAND_ID.toUpperCase(),
          '--issued-by',
          'ops-alice',
          '--timeout',
          '5000',
        ]),
      ).toEqual({
        kind: 'command-send',
        overrides: {
          type: 'CreateMonitor',
          tenantId: TENANT,
          payload: { monitorId: 'm', name: 'Home' },
          commandId: COMMAND_ID,
          expectedVersion: 0,
          correlationId: COMMAND_ID,
        },
        issuedBy: 'ops-alice',
        timeoutMs: 5000,
      });
    });

    it('reads --file (or -f, or - for standard input) with no other flag, and defaults the timeout', () => {
      expect(parseCliArguments(['command', 'send', '--file', 'cmd.json'])).toEqual({
        kind: 'command-send',
        file: 'cmd.json',
        overrides: {},
        timeoutMs: DEFAULT_TIMEOUT_MS,
      });
      expect(parseCliArguments(['command', 'send', '-f', '-'])).toMatchObject({ file: '-' });
      expect(parseCliArguments(['command', 'send', '--file=cmd.json', '--tenant', TENANT])).toMatchObject({
        file: 'cmd.json',
        overrides: { tenantId: TENANT },
      });
    });

    it('needs --file, or both --type and --tenant', () => {
      expect(usageError(['command', 'send'])).toMatch(/--file, or --type and --tenant/);
      expect(usageError(['command', 'send', '--type', 'DeleteTenant'])).toMatch(/--type and --tenant/);
      expect(usageError(['command', 'send', '--tenant', TENANT])).toMatch(/--type and --tenant/);
    });

    it.each([
      [['--tenant', 'acme'], /--tenant must be a UUID \(got "acme"\)/],
      [['--command-id', '42'], /--command-id must be a UUID/],
      [['--payload', '{not json'], /--payload is not JSON/],
      [['--payload', '[1,2]'], /--payload must be a JSON object/],
      [['--payload', 'null'], /--payload must be a JSON object/],
      [['--expected-version=-1'], /--expected-version must be an integer >= 0 \(got "-1"\)/],
      [['--expected-version', '1.5'], /--expected-version must be an integer/],
      [['--timeout', '0'], /--timeout must be an integer >= 1/],
      [['--type', '  '], /--type must not be empty/],
      [['--typo', 'x'], /Unknown option '--typo'/],
      [['--type'], /argument missing/],
      [['stray'], /Unexpected argument 'stray'/],
    ])('refuses %j', (flags, message) => {
      expect(usageError(['command', 'send', '--file', 'x.json', ...flags])).toMatch(message);
    });
  });

  describe('api-key create', () => {
    it('reads tenant, name, expiry and the common options', () => {
      expect(
        parseCliArguments([
          'api-key',
          'create',
          '--tenant',
          TENANT,
          '--name',
          ' deploy pipeline ',
          '--expires-at',
          '2026-01-01T00:00:00Z',
          '--timeout',
          '1000',
        ]),
      ).toEqual({ kind: 'api-key-create', tenantId: TENANT, name: 'deploy pipeline', expiresAt: '2026-01-01T00:00:00Z', timeoutMs: 1000 });
      expect(parseCliArguments(['api-key', 'create', '--tenant', TENANT, '--name', 'ci'])).toEqual({
        kind: 'api-key-create',
        tenantId: TENANT,
        name: 'ci',
        timeoutMs: DEFAULT_TIMEOUT_MS,
      });
    });

    it.each([
      [['--name', 'ci'], /needs --tenant/],
      [['--tenant', TENANT], /needs --name/],
      [['--tenant', TENANT, '--name', 'ci', '--expires-at', '2026-01-01'], /--expires-at must be an ISO-8601 time with a zone/],
      [['--tenant', TENANT, '--name', 'ci', '--expires-at', '2026-13-45T00:00:00Z'], /--expires-at must be an ISO-8601 time/],
      // The token is made by the run: a caller-chosen command id could only bring back another run's result.
      [['--tenant', TENANT, '--name', 'ci', '--command-id', COMMAND_ID], /Unknown option '--command-id'/],
    ])('refuses %j', (flags, message) => {
      expect(usageError(['api-key', 'create', ...flags])).toMatch(message);
    });
  });

  it('answers help, -h and --help anywhere', () => {
    expect(parseCliArguments(['help'])).toEqual({ kind: 'help' });
    expect(parseCliArguments(['--help'])).toEqual({ kind: 'help' });
    expect(parseCliArguments(['command', 'send', '-h'])).toEqual({ kind: 'help' });
    expect(parseCliArguments(['api-key', 'create', '--help'])).toEqual({ kind: 'help' });
  });

  it('refuses no command and unknown commands', () => {
    expect(usageError([])).toBe('no command given');
    expect(usageError(['command'])).toBe('unknown command "command"');
    expect(usageError(['api-key', 'revoke'])).toBe('unknown command "api-key revoke"');
  });
});
