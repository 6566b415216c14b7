import { randomUUID } from 'node:crypto';
import { Consumer, IHeaders, Kafka } from 'kafkajs';
import { CompleteSender } from './complete-send';
import { TopicNames } from './topic-names';

/** The fields of a command result this client relies on (asyncapi.yaml, CommandResult). */
export interface CommandResultLike {
  commandId: string;
  status: 'accepted' | 'rejected';
  duplicate: boolean;
  [field: string]: unknown;
}

interface Waiter {
  count: number;
  resolve: (results: CommandResultLike[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Command ids whose results a client keeps for a later `waitFor` (every result on the topic, not only its own). */
export const REMEMBERED_RESULTS = 10_000;

/**
 * Publishes commands and waits for their results: what the CLI, the benchmarks and other
 * teams' services need. It joins a private consumer group on `command-results` BEFORE
 * publishing, starting at the end of the log, so no result of its own commands can be missed.
 * Results nobody waits for yet are kept for the most recent `rememberResults` command ids only,
 * so a long-lived client reading a busy topic does not grow without bound.
 */
export class CommandClient {
  private readonly results = new Map<string, CommandResultLike[]>();
  private readonly waiters = new Map<string, Waiter>();
  /** Observer of every result received (benchmarks measure latency with it). */
  onResult?: (result: CommandResultLike, receivedAt: number) => void;

  private constructor(
    private readonly kafka: Kafka,
    private readonly sender: CompleteSender,
    private readonly consumer: Consumer,
    private readonly topics: TopicNames,
    private readonly rememberResults: number,
    /** The private consumer group on `command-results`: nobody else ever joins it. */
    readonly groupId: string,
    private readonly deleteGroupOnDisconnect: boolean,
  ) {}

  /**
   * `groupId` names the private group (default `vinsight.command-client.<uuid>`); name it under
   * the caller's KAFKA_CLIENT_ID so operators can tell whose it is. With `deleteGroupOnDisconnect`
   * the group is deleted once left: its committed offsets are of no use to anyone, and a short-lived
   * client (the CLI) would otherwise leave one group per run on the broker.
   */
  static async connect(
    kafka: Kafka,
    topics: TopicNames,
    options: { fromBeginning?: boolean; rememberResults?: number; groupId?: string; deleteGroupOnDisconnect?: boolean } = {},
  ): Promise<CommandClient> {
    const groupId = options.groupId ?? `vinsight.command-client.${randomUUID()}`;
    const sender = new CompleteSender(kafka);
    const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 20 });
    const client = new CommandClient(
      kafka,
      sender,
      consumer,
      topics,
      options.rememberResults ?? REMEMBERED_RESULTS,
      groupId,
      options.deleteGroupOnDisconnect ?? false,
    );
    await sender.producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.commandResults], fromBeginning: options.fromBeginning ?? false });
    // GROUP_JOIN fires before the consumer has resolved where to start; a result written between
    // the two would be skipped. After the first completed fetch the position is fixed.
    const joined = new Promise<void>((resolve) => {
      const removeJoin = consumer.on(consumer.events.GROUP_JOIN, () => {
        removeJoin();
        const removeFetch = consumer.on(consumer.events.FETCH, () => {
          removeFetch();
          resolve();
        });
      });
    });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const receivedAt = Date.now();
        for (const message of batch.messages) {
          if (!message.value) continue;
          try {
            client.received(JSON.parse(message.value.toString('utf8')) as CommandResultLike, receivedAt);
          } catch {
            // not a result this client can read: someone else's problem, never ours to crash on
          }
        }
      },
    });
    await joined;
    return client;
  }

  /** Publishes a command envelope keyed by its tenant id (or `key`). */
  async send(envelope: { commandId: string; tenantId?: unknown }, options: { key?: string; headers?: IHeaders } = {}) {
    await this.sendMany([envelope], options);
  }

  async sendMany(envelopes: { commandId: string; tenantId?: unknown }[], options: { key?: string; headers?: IHeaders } = {}) {
    await this.sender.send(
      this.topics.commands,
      envelopes.map((envelope) => ({
        key: options.key ?? (typeof envelope.tenantId === 'string' ? envelope.tenantId : null),
        value: JSON.stringify(envelope),
        headers: options.headers,
      })),
    );
  }

  /** Publishes raw bytes (tests of malformed input). */
  async sendRaw(key: string | null, value: string | Buffer | null) {
    await this.sender.send(this.topics.commands, [{ key, value }]);
  }

  /** Sends and waits for the result. */
  async execute(envelope: { commandId: string; tenantId?: unknown }, timeoutMs = 30000): Promise<CommandResultLike> {
    const wait = this.waitFor(envelope.commandId, 1, timeoutMs);
    await this.send(envelope);
    return (await wait)[0];
  }

  /** Resolves once `count` results for the command id have arrived (duplicates included). */
  waitFor(commandId: string, count = 1, timeoutMs = 30000): Promise<CommandResultLike[]> {
    const have = this.results.get(commandId) ?? [];
    if (have.length >= count) return Promise.resolve(have.slice(0, count));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(commandId);
        reject(new Error(`no ${count} result(s) for command ${commandId} within ${timeoutMs} ms (have ${have.length})`));
      }, timeoutMs);
      this.waiters.set(commandId, { count, resolve, reject, timer });
    });
  }

  resultsOf(commandId: string): CommandResultLike[] {
    return this.results.get(commandId) ?? [];
  }

  async disconnect() {
    for (const waiter of this.waiters.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('client disconnected'));
    }
    this.waiters.clear();
    await Promise.all([this.consumer.disconnect(), this.sender.producer.disconnect()]);
    if (this.deleteGroupOnDisconnect) await this.deleteGroup();
  }

  /** After `consumer.disconnect()` has left the group, so the broker sees it empty and deletes it. */
  private async deleteGroup() {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteGroups([this.groupId]);
    } finally {
      await admin.disconnect();
    }
  }

  private received(result: CommandResultLike, receivedAt: number) {
    if (typeof result.commandId !== 'string') return;
    const list = this.results.get(result.commandId) ?? [];
    list.push(result);
    this.results.set(result.commandId, list);
    // A Map iterates in insertion order: the first key is the command id heard of longest ago.
    if (this.results.size > this.rememberResults) {
      const oldest = this.results.keys().next();
      if (!oldest.done) this.results.delete(oldest.value);
    }
    this.onResult?.(result, receivedAt);
    const waiter = this.waiters.get(result.commandId);
    if (waiter && list.length >= waiter.count) {
      clearTimeout(waiter.timer);
      this.waiters.delete(result.commandId);
      waiter.resolve(list.slice(0, waiter.count));
    }
  }
}
