import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { connectKafkaCommandSender } from './kafka/kafka-command-sender';
import { runCli } from './cli';

/**
 * A run disconnects before it returns, so nothing should be left; but a failed connect can leave
 * KafkaJS sockets open, and they must not keep the shell waiting.
 */
const EXIT_GRACE_MS = 1000;

void runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  readFile: (path) => readFile(path, 'utf8'),
  readStdin: () => text(process.stdin),
  randomBytes,
  newId: randomUUID,
  now: () => new Date(),
  connect: (settings) => connectKafkaCommandSender(settings, process.stderr),
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
