import type { CommandResultLike } from '@vinsight/kafka';
import type { EnvelopeOverrides } from '../arguments/cli-arguments';
import { buildCommandEnvelope, EnvelopeContext, OutgoingEnvelope } from '../envelope/command-envelope.builder';
import { EXIT, ExitCode } from '../exit-codes';
import type { CommandSender } from '../kafka/kafka-command-sender';

/** Commands handed to Kafka in one produce request. */
export const BATCH_CHUNK = 500;
/** Commands published whose results are still awaited: bounds memory on a long file. */
export const MAX_IN_FLIGHT = 5_000;

type Output = { write(text: string): unknown };

export interface BatchLine {
  readonly line: number;
  readonly envelope?: OutgoingEnvelope;
  /** Why the line was not sent. */
  readonly invalid?: string;
}

/**
 * Whether `--file` holds NDJSON: a `.ndjson`/`.jsonl` name, or a text that is not one JSON value
 * but whose first line is (a pretty-printed envelope stays a single command).
 */
export function isNdjson(source: string, text: string): boolean {
  if (/\.(ndjson|jsonl)$/i.test(source)) return true;
  if (parses(text)) return false;
  const first = text.split('\n').find((line) => line.trim() !== '');
  return first !== undefined && parses(first);
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** One envelope per non-empty line, numbered from 1 as editors do; a line that cannot be sent says why. */
export function readBatchLines(
  text: string,
  overrides: EnvelopeOverrides,
  issuedBy: string | undefined,
  context: EnvelopeContext,
): BatchLine[] {
  const seen = new Map<string, number>();
  const lines: BatchLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('a line must hold one JSON object, a command envelope');
      const envelope = buildCommandEnvelope(
        parsed as Record<string, unknown>,
        overrides,
        { ...(issuedBy !== undefined && { issuedBy }) },
        context,
      );
      // One waiter per command id: a repeat in the same file would take the other line's result.
      const earlier = seen.get(envelope.commandId);
      if (earlier !== undefined) throw new Error(`commandId ${envelope.commandId} is already used on line ${earlier}`);
      seen.set(envelope.commandId, line);
      lines.push({ line, envelope });
    } catch (error) {
      lines.push({ line, invalid: (error as Error).message });
    }
  });
  return lines;
}

interface Tally {
  accepted: number;
  rejected: number;
  invalid: number;
  unknown: number;
}

/**
 * Sends every line through one connection and prints one NDJSON line per input line on
 * `stdout`, in the order results come back, each with its input `line`. Progress goes to
 * `stderr` every second and a summary with the rate at the end.
 */
export async function runBatch(
  lines: readonly BatchLine[],
  sender: CommandSender,
  options: { timeoutMs: number; stdout: Output; stderr: Output; clock: () => number; progressEveryMs?: number },
): Promise<ExitCode> {
  const { stdout, stderr, clock, timeoutMs } = options;
  const tally: Tally = { accepted: 0, rejected: 0, invalid: 0, unknown: 0 };
  const emit = (record: Record<string, unknown>) => stdout.write(`${JSON.stringify(record)}\n`);
  for (const { line, invalid } of lines) {
    if (invalid === undefined) continue;
    tally.invalid += 1;
    emit({ line, status: 'invalid', error: { code: 'INVALID_LINE', message: invalid } });
  }
  const toSend = lines.filter((entry): entry is BatchLine & { envelope: OutgoingEnvelope } => entry.envelope !== undefined);
  const started = clock();
  let sent = 0;
  const done = () => tally.accepted + tally.rejected + tally.unknown;
  const rate = (count: number) => Math.round(count / Math.max((clock() - started) / 1000, 0.001));
  const progress = setInterval(
    () =>
      stderr.write(
        `progress: ${sent}/${toSend.length} sent, ${done()} answered (${tally.accepted} accepted, ${tally.rejected} rejected, ${tally.unknown} unknown), ${rate(done())} commands/s\n`,
      ),
    options.progressEveryMs ?? 1000,
  );
  progress.unref();

  let inFlight = 0;
  let wake: (() => void) | undefined;
  const settled: Promise<void>[] = [];
  try {
    for (let from = 0; from < toSend.length; from += BATCH_CHUNK) {
      const chunk = toSend.slice(from, from + BATCH_CHUNK);
      while (inFlight + chunk.length > MAX_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
      inFlight += chunk.length;
      const { sent: published, results } = sender.dispatch(
        chunk.map((entry) => entry.envelope),
        timeoutMs,
      );
      const failedToSend = published.then(
        () => undefined,
        (error: Error) => error,
      );
      results.forEach((result, index) => {
        const { line, envelope } = chunk[index];
        const outcome = Promise.race([
          result,
          failedToSend.then((error) => (error === undefined ? new Promise<never>(() => undefined) : Promise.reject(error))),
        ]);
        settled.push(
          outcome
            .then(
              (answer: CommandResultLike) => {
                tally[answer.status === 'accepted' ? 'accepted' : 'rejected'] += 1;
                emit({ line, ...answer });
              },
              (error: Error) => {
                tally.unknown += 1;
                const timedOut = /^no \d+ result/.test(error.message);
                emit({
                  line,
                  commandId: envelope.commandId,
                  type: envelope.type,
                  tenantId: envelope.tenantId,
                  status: 'unknown',
                  error: {
                    code: timedOut ? 'TIMEOUT' : 'SEND_FAILED',
                    message: `${timedOut ? `no result within ${timeoutMs} ms` : error.message}; the outcome is unknown: send the line again with the same commandId`,
                  },
                });
              },
            )
            .finally(() => {
              inFlight -= 1;
              wake?.();
              wake = undefined;
            }),
        );
      });
      await published.catch(() => undefined);
      sent += chunk.length;
    }
    await Promise.all(settled);
  } finally {
    clearInterval(progress);
  }
  const seconds = (clock() - started) / 1000;
  stderr.write(
    `sent ${toSend.length} commands in ${seconds.toFixed(2)} s: ${tally.accepted} accepted, ${tally.rejected} rejected, ` +
      `${tally.invalid} invalid, ${tally.unknown} unknown (${rate(toSend.length)} commands/s)\n`,
  );
  if (tally.unknown > 0) return EXIT.ERROR;
  if (tally.invalid > 0) return EXIT.USAGE;
  return tally.rejected > 0 ? EXIT.REJECTED : EXIT.ACCEPTED;
}
