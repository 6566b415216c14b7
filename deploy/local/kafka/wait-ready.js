#!/usr/bin/env node
'use strict';
// Waits until the local broker answers a KafkaJS admin's listTopics, the same client the
// service uses, so "ready" means ready for us rather than "port open".
//   node wait-ready.js [--broker 127.0.0.1:9092] [--timeout-ms 60000] [--pid N] [--since EPOCH_MS]
// --pid makes it fail fast when the broker process dies; --since counts the elapsed time from
// the caller's start instead of this script's.
const { Kafka, logLevel } = require('kafkajs');

function parseArgs(argv) {
  const args = { broker: '127.0.0.1:9092', timeoutMs: 60000, pid: undefined, since: Date.now() };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`missing value for ${flag}`);
    if (flag === '--broker') args.broker = value;
    else if (flag === '--timeout-ms') args.timeoutMs = Number(value);
    else if (flag === '--pid') args.pid = Number(value);
    else if (flag === '--since') args.since = Number(value);
    else throw new Error(`unknown argument ${flag}`);
  }
  return args;
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function tryListTopics(broker) {
  const kafka = new Kafka({
    clientId: 'wait-ready',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await admin.listTopics();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function main() {
  const { broker, timeoutMs, pid, since } = parseArgs(process.argv.slice(2));
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (pid !== undefined && !isAlive(pid)) {
      process.stderr.write(`[kafka] broker process ${pid} exited before it became ready\n`);
      return 1;
    }
    try {
      const topics = await tryListTopics(broker);
      const seconds = ((Date.now() - since) / 1000).toFixed(1);
      process.stdout.write(`[kafka] ready on ${broker} after ${seconds} s (${topics.length} topics)\n`);
      return 0;
    } catch (error) {
      lastError = error;
      await sleep(250);
    }
  }
  process.stderr.write(`[kafka] not ready on ${broker} after ${timeoutMs} ms: ${lastError ? lastError.message : 'no attempt'}\n`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`[kafka] ${error.stack || error}\n`);
    process.exit(1);
  },
);
