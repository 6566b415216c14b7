import { ConfigError } from '@vinsight/config';
import type { CommandResultLike } from '@vinsight/kafka';
import { createApiKeySecret, issueApiKeyEnvelope } from './api-key/api-key-token';
import { CliRequest, CreateApiKeyRequest, parseCliArguments, SendCommandRequest, VerbRequest } from './arguments/cli-arguments';
import { isNdjson, readBatchLines, runBatch } from './batch/ndjson-batch';
import { USAGE } from './cli-usage';
import { buildCommandEnvelope, EnvelopeContext, OutgoingEnvelope, parseEnvelopeFile } from './envelope/command-envelope.builder';
import { EXIT, ExitCode, UsageError } from './exit-codes';
import type { CommandSender } from './kafka/kafka-command-sender';
import { KafkaSettingsRefusedError } from './kafka/kafka-settings-check';
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
  /** Connected within `timeoutMs`, or rejected with one line saying why. */
  connect(settings: CliSettings, timeoutMs: number): Promise<CommandSender>;
  /** `projections ...`: its own settings (a database too) and its own exit codes. */
  projections?(args: readonly string[]): Promise<number>;
}

/** Thrown when no result arrived in time: the command may or may not have been applied. */
class OutcomeUnknownError extends Error {}

export const API_KEY_WARNING =
  'warning: this is the only time the token is shown. V-Insight keeps only its SHA-256 and cannot show it again: store it now.\n';

/** One CLI invocation: returns the exit status; prints results to stdout and diagnostics to stderr. */
export async function runCli(argv: readonly string[], deps: CliDependencies): Promise<number> {
  let request: CliRequest;
  let settings: CliSettings;
  try {
    request = parseCliArguments(argv);
    if (request.kind === 'help') {
      deps.stdout.write(USAGE);
      return EXIT.ACCEPTED;
    }
    if (request.kind === 'projections') {
      if (deps.projections === undefined) throw new UsageError('projections is not available here');
      return await deps.projections(request.args);
    }
    settings = loadCliSettings(deps.env);
  } catch (error) {
    return usageFailure(error, deps);
  }
  try {
    switch (request.kind) {
      case 'command-send':
        return await sendCommand(request, settings, deps);
      case 'api-key-create':
        return await createApiKey(request, settings, deps);
      case 'command-verb':
        return await runCommandVerb(request, settings, deps);
    }
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(error, deps);
    if (error instanceof KafkaSettingsRefusedError) {
      // Nothing was published: a setting to fix, like an invalid variable.
      deps.stderr.write(`error: ${error.message}\n`);
      return EXIT.USAGE;
    }
    deps.stderr.write(`error: ${(error as Error).message}\n`);
    return EXIT.ERROR;
  }
}

async function sendCommand(request: SendCommandRequest, settings: CliSettings, deps: CliDependencies): Promise<ExitCode> {
  const text = request.file === undefined ? undefined : await readSource(request.file, deps);
  if (request.file !== undefined && text !== undefined && isNdjson(request.file, text)) return sendBatch(request, text, settings, deps);
  const base = text === undefined ? {} : parseEnvelopeFile(text, describe(request.file!));
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
  return print(result, result, request.output, deps);
}

async function sendBatch(request: SendCommandRequest, text: string, settings: CliSettings, deps: CliDependencies): Promise<ExitCode> {
  // Every line gets its own id; one id for all would make every line after the first a repeat.
  if (request.overrides.commandId !== undefined)
    throw new UsageError('--command-id cannot be given with a batch: put "commandId" on each line');
  if (request.output !== undefined) throw new UsageError('--output cannot be given with a batch: its output is one JSON line per command');
  const lines = readBatchLines(text, request.overrides, request.issuedBy, deps);
  const sender = await deps.connect(settings, request.timeoutMs);
  try {
    return await runBatch(lines, sender, {
      timeoutMs: request.timeoutMs,
      stdout: deps.stdout,
      stderr: deps.stderr,
      clock: () => deps.now().getTime(),
    });
  } finally {
    await sender.disconnect().catch(() => undefined);
  }
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
  if (result.status !== 'accepted') return print(result, result, request.output, deps);
  const issued = {
    apiKeyId,
    tenantId: request.tenantId,
    name: request.name,
    ...(request.expiresAt !== undefined && { expiresAt: request.expiresAt }),
    token: secret.token,
    result,
  };
  const code = print(issued, result, request.output, deps);
  deps.stderr.write(API_KEY_WARNING);
  return code;
}

/** `tenant create`, `monitor create`, ...: the ids are made here, and printed with the result. */
async function runCommandVerb(request: VerbRequest, settings: CliSettings, deps: CliDependencies): Promise<ExitCode> {
  const generated = Object.fromEntries(request.generate.map((field) => [field, deps.newId()]));
  const stamped = Object.fromEntries(
    (request.stampNow ?? []).filter((field) => request.payload[field] === undefined).map((field) => [field, deps.now().toISOString()]),
  );
  const { tenantId: generatedTenantId, ...generatedPayload } = generated;
  const tenantId = request.tenantId ?? generatedTenantId;
  const payload = { ...generatedPayload, ...request.payload, ...stamped };
  const envelope = buildCommandEnvelope({}, { type: request.type, tenantId, payload }, { issuedBy: request.issuedBy }, deps);
  let result: CommandResultLike;
  try {
    result = await execute(envelope, request.timeoutMs, settings, deps);
  } catch (error) {
    if (!(error instanceof OutcomeUnknownError)) throw error;
    // The ids were made by this run: a retry must reuse them, or it would create a second one.
    throw new Error(
      `${error.message}. The outcome is unknown: send it again with the same ids: ` +
        `command send --command-id ${envelope.commandId} --type ${envelope.type} --tenant ${tenantId} --payload '${JSON.stringify(payload)}'`,
    );
  }
  return print({ tenantId, ...generatedPayload, ...stamped, result }, result, request.output, deps);
}

async function execute(
  envelope: OutgoingEnvelope,
  timeoutMs: number,
  settings: CliSettings,
  deps: CliDependencies,
): Promise<CommandResultLike> {
  const sender = await deps.connect(settings, timeoutMs);
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

/**
 * Prints `output` as JSON, or with `--output <field>` only that field as plain text, for
 * `X=$(...)` in a shell. A rejection then goes to stderr, so the variable never holds it.
 */
function print(output: object, result: CommandResultLike, field: string | undefined, deps: CliDependencies): ExitCode {
  const code = exitCodeOf(result);
  if (field === undefined) {
    deps.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    return code;
  }
  if (code !== EXIT.ACCEPTED) {
    deps.stderr.write(`${JSON.stringify(result, null, 2)}\n`);
    return code;
  }
  const value = field
    .split('.')
    .reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined), output);
  if (value === undefined || value === null) {
    deps.stderr.write(`${JSON.stringify(output, null, 2)}\nerror: the output above has no field "${field}"\n`);
    return EXIT.ERROR;
  }
  deps.stdout.write(`${typeof value === 'object' ? JSON.stringify(value) : String(value)}\n`);
  return code;
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
