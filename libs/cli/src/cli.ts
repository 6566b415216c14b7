import { ConfigError } from '@vinsight/config';
import type { CommandResultLike } from '@vinsight/kafka';
import { createApiKeySecret, issueApiKeyEnvelope } from './api-key/api-key-token';
import { CliRequest, CreateApiKeyRequest, parseCliArguments, SendCommandRequest } from './arguments/cli-arguments';
import { USAGE } from './cli-usage';
import { buildCommandEnvelope, EnvelopeContext, OutgoingEnvelope, parseEnvelopeFile } from './envelope/command-envelope.builder';
import { EXIT, ExitCode, UsageError } from './exit-codes';
import type { CommandSender } from './kafka/kafka-command-sender';
import { CliSettings, loadCliSettings } from './settings/cli.settings';

interface Output {
  write(text: string): unknown;
}

/** Everything the CLI touches outside itself, so that a run is testable without a process. */
export interface CliDependencies extends EnvelopeContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Output;
  readonly stderr: Output;
  readFile(path: string): Promise<string>;
  readStdin(): Promise<string>;
  randomBytes(size: number): Buffer;
  connect(settings: CliSettings): Promise<CommandSender>;
}

/** Thrown when no result arrived in time: the command may or may not have been applied. */
class OutcomeUnknownError extends Error {}

export const API_KEY_WARNING =
  'warning: this is the only time the token is shown. V-Insight keeps only its SHA-256 and cannot show it again: store it now.\n';

/** One CLI invocation: returns the exit status; prints results to stdout and diagnostics to stderr. */
export async function runCli(argv: readonly string[], deps: CliDependencies): Promise<ExitCode> {
  let request: CliRequest;
  let settings: CliSettings;
  try {
    request = parseCliArguments(argv);
    if (request.kind === 'help') {
      deps.stdout.write(USAGE);
      return EXIT.ACCEPTED;
    }
    settings = loadCliSettings(deps.env);
  } catch (error) {
    return usageFailure(error, deps);
  }
  try {
    return request.kind === 'command-send' ? await sendCommand(request, settings, deps) : await createApiKey(request, settings, deps);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(error, deps);
    deps.stderr.write(`error: ${(error as Error).message}\n`);
    return EXIT.ERROR;
  }
}

async function sendCommand(request: SendCommandRequest, settings: CliSettings, deps: CliDependencies): Promise<ExitCode> {
  const base = request.file === undefined ? {} : parseEnvelopeFile(await readSource(request.file, deps), describe(request.file));
  const envelope = buildCommandEnvelope(base, request.overrides, { issuedBy: request.issuedBy }, deps);
  let result: CommandResultLike;
  try {
    result = await execute(envelope, request.timeoutMs, settings, deps);
  } catch (error) {
    if (!(error instanceof OutcomeUnknownError)) throw error;
    throw new Error(
      `${error.message}. The outcome is unknown: send it again with --command-id ${envelope.commandId} ` +
        '(a command id seen before is answered with its original result, never applied twice)',
    );
  }
  deps.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return exitCodeOf(result);
}

async function createApiKey(request: CreateApiKeyRequest, settings: CliSettings, deps: CliDependencies): Promise<ExitCode> {
  const apiKeyId = deps.newId();
  const secret = createApiKeySecret((size) => deps.randomBytes(size));
  const envelope = issueApiKeyEnvelope(request, apiKeyId, secret, deps);
  let result: CommandResultLike;
  try {
    result = await execute(envelope, request.timeoutMs, settings, deps);
  } catch (error) {
    if (!(error instanceof OutcomeUnknownError)) throw error;
    // Retrying cannot help: a new run makes a new token, and this one is never shown.
    throw new Error(
      `${error.message}. The key may or may not have been issued, and its token is not shown: ` +
        `revoke API key ${apiKeyId} (RevokeApiKey) if it appears, and create another`,
    );
  }
  if (result.status !== 'accepted') {
    deps.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return exitCodeOf(result);
  }
  const issued = {
    apiKeyId,
    tenantId: request.tenantId,
    name: request.name,
    ...(request.expiresAt !== undefined && { expiresAt: request.expiresAt }),
    token: secret.token,
    result,
  };
  deps.stdout.write(`${JSON.stringify(issued, null, 2)}\n`);
  deps.stderr.write(API_KEY_WARNING);
  return EXIT.ACCEPTED;
}

async function execute(envelope: OutgoingEnvelope, timeoutMs: number, settings: CliSettings, deps: CliDependencies): Promise<CommandResultLike> {
  const sender = await deps.connect(settings);
  try {
    return await sender.execute(envelope, timeoutMs).catch((error: Error) => {
      // CommandClient rejects with "no 1 result(s) for command … within … ms" on timeout.
      if (/^no \d+ result/.test(error.message)) {
        throw new OutcomeUnknownError(`no result for ${envelope.type} ${envelope.commandId} within ${timeoutMs} ms`);
      }
      throw error;
    });
  } finally {
    await sender.disconnect().catch(() => undefined);
  }
}

const exitCodeOf = (result: CommandResultLike): ExitCode => (result.status === 'accepted' ? EXIT.ACCEPTED : EXIT.REJECTED);

const readSource = (file: string, deps: CliDependencies) =>
  (file === '-' ? deps.readStdin() : deps.readFile(file)).catch((error: Error) => {
    throw new UsageError(`cannot read ${describe(file)}: ${error.message}`);
  });

const describe = (file: string) => (file === '-' ? 'standard input' : file);

function usageFailure(error: unknown, deps: CliDependencies): ExitCode {
  if (error instanceof UsageError) {
    deps.stderr.write(`error: ${error.message}\n\n${USAGE}`);
    return EXIT.USAGE;
  }
  if (error instanceof ConfigError) {
    deps.stderr.write(`error: ${error.message}\n`);
    return EXIT.USAGE;
  }
  throw error;
}
