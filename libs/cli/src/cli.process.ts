import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { connectKafkaCommandSender } from './kafka/kafka-command-sender';
import { runCli } from './cli';

/**
 * A run disconnects before it returns, so nothing should be left; but a connect given up at the
 * deadline leaves KafkaJS retrying, and that must not keep the shell waiting.
 */
const EXIT_GRACE_MS = 1000;

/** The CLI as a process: real streams, files, clock, ids and Kafka; exits with the run's status. */
export function runCliProcess(argv: readonly string[]): void {
  void runCli(argv, {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    readFile: (path) => readFile(path, 'utf8'),
    readStdin: () => text(process.stdin),
    randomBytes,
    newId: randomUUID,
    now: () => new Date(),
    connect: (settings, timeoutMs) => connectKafkaCommandSender(settings, process.stderr, timeoutMs),
    // Loaded only when asked for: it brings the database and read-model code, seconds of start-up.
    projections: async (args) => {
      const { runProjectionsCli } = await import('./projections/projections-cli');
      return runProjectionsCli(args, { env: process.env, stdout: process.stdout, stderr: process.stderr });
    },
  }).then(
    (code) => {
      process.exitCode = code;
      setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
    },
    (error: Error) => {
      process.stderr.write(`error: ${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
