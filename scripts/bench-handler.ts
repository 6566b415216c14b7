/**
 * `npm run bench:handler`: the command processor's own work per command, without Kafka: its
 * CommandPartitionHandler (parse, validate, decide, evolve, envelopes, results, remembering them)
 * over bench:commands' workload (90 % RecordCheckResult) in slices of 500, as the processor runs
 * it between a fetch and a transaction. CPU per command is the process's (the garbage collector's
 * threads included), once for each size of tenant in BENCH_HANDLER_MONITORS (monitors per
 * tenant, default `10,100,1000`; 200 tenants).
 *
 * With BENCH_HANDLER_BASELINE=<another build's dist folder>, that build's handler gets the same
 * slices in the same process, the two taking turns (ABBA), and `ratioToBaseline` is this build's
 * CPU per command over the baseline's: on a shared machine, a comparison inside one process moves
 * least. Environment: BENCH_HANDLER_SLICES (counted slices per size, 200), BENCH_HANDLER_TENANTS
 * (200). The last line is one JSON object.
 */
import { join } from 'node:path';
import type { KafkaMessage } from 'kafkajs';
import type { TransactionReceipt } from '@vinsight/kafka';
import { Logger } from '@nestjs/common';
import { Envelope, Fleet } from './bench-commands.workload';

type HandlerModule = typeof import('../libs/command-processing/src/command-partition.handler');
type StateModule = typeof import('../libs/command-processing/src/partition-state');
type PortsModule = typeof import('../libs/command-processing/src/ports');
type DomainModule = typeof import('../libs/domain/src');
type KafkaModule = typeof import('../libs/kafka/src');

const SLICE = 500;
const WARM_UP_SLICES = 40;
const SLICES = Number(process.env.BENCH_HANDLER_SLICES ?? 200);
const TENANTS = Number(process.env.BENCH_HANDLER_TENANTS ?? 200);
const SIZES = (process.env.BENCH_HANDLER_MONITORS ?? '10,100,1000').split(',').map(Number);
const BASELINE = process.env.BENCH_HANDLER_BASELINE;

/** One build's handler on partition 0, fed serialized envelopes; `cpuUs` adds up its slices' CPU. */
class Subject {
  cpuUs = 0;
  commands = 0;
  private offset = 0;
  private readonly handler;
  private readonly topics;

  constructor(
    readonly name: string,
    root: string,
  ) {
    const load = <T>(path: string): T => require(join(root, path)) as T;
    const { CommandPartitionHandler } = load<HandlerModule>('libs/command-processing/src/command-partition.handler');
    const { PartitionState } = load<StateModule>('libs/command-processing/src/partition-state');
    const { deterministicEventIds } = load<PortsModule>('libs/command-processing/src/ports');
    const { decide } = load<DomainModule>('libs/domain/src');
    const { topicNames } = load<KafkaModule>('libs/kafka/src');
    this.topics = topicNames('bench.');
    const ports = { emailHashOf: (email: string) => email };
    // Pure deciders only: the workload creates tenants with unique slugs and issues no API keys, so nothing needs Postgres.
    const deciders = { decide: (command, state) => decide(command, state, ports) } as ConstructorParameters<
      HandlerModule['CommandPartitionHandler']
    >[0];
    const loader = {
      load: async (partitions: number[]) => new Map(partitions.map((p) => [p, new PartitionState()])),
    } as ConstructorParameters<HandlerModule['CommandPartitionHandler']>[1];
    const personalData = { dataKeysFor: async () => new Map(), destroy: async () => undefined };
    this.handler = new CommandPartitionHandler(
      deciders,
      loader,
      this.topics,
      { now: () => new Date() },
      deterministicEventIds,
      {} as ConstructorParameters<HandlerModule['CommandPartitionHandler']>[5],
      personalData,
    );
    this.handler.snapshotEvery = Number.POSITIVE_INFINITY;
  }

  async load(): Promise<void> {
    await this.handler.load([{ topic: this.topics.commands, partition: 0 }]);
  }

  /** Processes and commits one slice; returns its CPU microseconds. */
  async slice(values: readonly string[], keys: readonly string[]): Promise<number> {
    const records = values.map((value, i): KafkaMessage => ({
      key: Buffer.from(keys[i]),
      value: Buffer.from(value),
      offset: String(this.offset++),
      headers: {},
      timestamp: String(Date.now()),
      attributes: 0,
    }));
    const slice = { topic: this.topics.commands, partition: 0, records, lastOffset: BigInt(this.offset - 1) };
    const started = process.cpuUsage();
    const output = await this.handler.process(slice);
    const receipt = {
      nextOutputOffsets: new Map(output.messages.map((m) => [m.topic, BigInt(this.offset)])),
    } as unknown as TransactionReceipt;
    this.handler.committed(slice, output, receipt);
    const used = process.cpuUsage(started);
    return used.user + used.system;
  }
}

async function measure(monitorsPerTenant: number): Promise<Record<string, number>> {
  const subjects = [new Subject('this build', join(__dirname, '..')), ...(BASELINE ? [new Subject('baseline', BASELINE)] : [])];
  for (const subject of subjects) await subject.load();
  const workload = new Fleet(TENANTS, monitorsPerTenant);
  const feed = async (envelopes: Envelope[], counted: boolean, turn: number) => {
    const values = envelopes.map((e) => JSON.stringify(e));
    const keys = envelopes.map((e) => e.tenantId);
    for (const subject of turn % 2 === 0 ? subjects : [...subjects].reverse()) {
      const cpuUs = await subject.slice(values, keys);
      if (counted) {
        subject.cpuUs += cpuUs;
        subject.commands += values.length;
      }
    }
  };
  const setup = workload.setup();
  for (let i = 0; i < setup.length; i += SLICE) await feed(setup.slice(i, i + SLICE), false, 0);
  for (let s = 0; s < WARM_UP_SLICES + SLICES; s++) {
    await feed(
      Array.from({ length: SLICE }, () => workload.next()),
      s >= WARM_UP_SLICES,
      s,
    );
  }
  const [current, baseline] = subjects.map((s) => s.cpuUs / s.commands);
  const line: Record<string, number> = { monitorsPerTenant, cpuUsPerCommand: round(current) };
  if (baseline !== undefined)
    Object.assign(line, { baselineCpuUsPerCommand: round(baseline), ratioToBaseline: round(current / baseline, 3) });
  return line;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

async function main(): Promise<void> {
  Logger.overrideLogger(false);
  const sizes: Record<string, number>[] = [];
  for (const monitors of SIZES) {
    const line = await measure(monitors);
    process.stdout.write(`bench:handler ${JSON.stringify(line)}\n`);
    sizes.push(line);
  }
  process.stdout.write(
    `${JSON.stringify({ bench: 'handler', node: process.version, sliceCommands: SLICE, slices: SLICES, tenants: TENANTS, sizes })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:handler failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
