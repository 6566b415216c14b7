import { Logger } from '@nestjs/common';
import type { CommandResult } from '@vinsight/contracts';
import { commandMessage, NOW, validPayload } from '../../contracts/src/testing/command-messages';
import { decide, Decision } from '@vinsight/domain';
import { topicNames, TransactionReceipt } from '@vinsight/kafka';
import type { KafkaMessage } from 'kafkajs';
import { isSealedPersonalData, newAesKey, openPersonalData, UserRef, userRefKey } from '@vinsight/personal-data';
import { TEST_DECISION_PORTS } from '../../domain/src/testing/domain-factories';
import { CommandPartitionHandler, PersonalDataKeysPort } from './command-partition.handler';
import type { CommandDeciders } from './handlers/command-deciders';
import { InfrastructureFailure } from './infrastructure-failure';
import { PartitionState } from './partition-state';
import type { PartitionStateLoader } from './partition-state.loader';
import { deterministicEventIds } from './ports';
import type { SnapshotStore } from './snapshot.store';

const topics = topicNames('spec.');
const PARTITION = 0;

/** Data keys in memory, with the calls made: one per slice is what the handler promises. */
class KeysInMemory implements PersonalDataKeysPort {
  readonly keys = new Map<string, Buffer>();
  readonly calls: string[] = [];
  async dataKeysFor(owners: readonly UserRef[]) {
    this.calls.push(`dataKeysFor ${owners.length}`);
    for (const owner of owners) if (!this.keys.has(userRefKey(owner))) this.keys.set(userRefKey(owner), newAesKey());
    return new Map(owners.map((owner) => [userRefKey(owner), this.keys.get(userRefKey(owner))!]));
  }
  async destroy(owners: readonly UserRef[]) {
    this.calls.push(`destroy ${owners.length}`);
    for (const owner of owners) this.keys.delete(userRefKey(owner));
  }
}

/** A handler that decides with the pure decider unless `failWith` says otherwise for a command id. */
async function handlerWith(failWith: (commandId: string) => unknown, personalData: PersonalDataKeysPort = new KeysInMemory()) {
  const deciders = {
    decide: async (command, state): Promise<Decision> => {
      const error = failWith(command.metadata.commandId);
      if (error !== undefined) throw error;
      return decide(command, state, TEST_DECISION_PORTS);
    },
  } as Pick<CommandDeciders, 'decide'> as CommandDeciders;
  const loader = {
    load: async (partitions: number[]) => new Map(partitions.map((p) => [p, new PartitionState()])),
  } as PartitionStateLoader;
  const handler = new CommandPartitionHandler(
    deciders,
    loader,
    topics,
    { now: () => NOW },
    deterministicEventIds,
    {} as SnapshotStore,
    personalData,
  );
  await handler.load([{ topic: topics.commands, partition: PARTITION }]);
  return handler;
}

let offset = 0;
const kafkaMessage = (key: string | null, value: Buffer): KafkaMessage =>
  ({
    key: key === null ? null : Buffer.from(key),
    value,
    offset: String(offset++),
    headers: {},
    timestamp: '0',
    attributes: 0,
  }) as KafkaMessage;

/** Two commands of one new tenant: CreateTenant, then CreateMonitor. */
function tenantScript() {
  const create = commandMessage('CreateTenant', validPayload('CreateTenant'));
  const tenantId = create.envelope.tenantId as string;
  const monitor = commandMessage('CreateMonitor', validPayload('CreateMonitor'), { tenantId });
  return { tenantId, create, monitor, messages: [create, monitor].map((m) => kafkaMessage(m.key, m.value)) };
}

const sliceOf = (records: KafkaMessage[]) => ({
  topic: topics.commands,
  partition: PARTITION,
  records,
  lastOffset: BigInt(records[records.length - 1].offset),
});

async function run(handler: CommandPartitionHandler, messages: KafkaMessage[]) {
  const output = await handler.process(sliceOf(messages));
  const written = (topic: string) => output.messages.find((o) => o.topic === topic)?.messages ?? [];
  const results = written(topics.commandResults).map((m) => JSON.parse(String(m.value)) as CommandResult);
  return { events: written(topics.events), deadLetters: written(topics.commandsDlq), results };
}

describe('CommandPartitionHandler: one command failing', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  it('answers INTERNAL_ERROR with a reference and no stack, and decides the next command', async () => {
    const script = tenantScript();
    const handler = await handlerWith((id) =>
      id === script.monitor.envelope.commandId ? new TypeError('targetType is not a constructor') : undefined,
    );
    const logged = jest.spyOn(Logger.prototype, 'error');
    const next = commandMessage('RenameTenant', { name: 'Later' }, { tenantId: script.tenantId });

    const { events, results, deadLetters } = await run(handler, [...script.messages, kafkaMessage(next.key, next.value)]);

    expect(results.map((r) => [r.type, r.status, r.status === 'rejected' ? r.error.code : 'ok'])).toEqual([
      ['CreateTenant', 'accepted', 'ok'],
      ['CreateMonitor', 'rejected', 'INTERNAL_ERROR'],
      ['RenameTenant', 'accepted', 'ok'],
    ]);
    const failed = results[1];
    if (failed.status !== 'rejected') throw new Error('expected a rejection');
    expect(failed).toMatchObject({ commandId: script.monitor.envelope.commandId, tenantId: script.tenantId, duplicate: false });
    const reference = /reference ([0-9a-f-]{36})$/.exec(failed.error.message)?.[1];
    expect(failed.error).toEqual({ code: 'INTERNAL_ERROR', message: `an internal error occurred; reference ${reference}`, details: [] });
    expect(JSON.stringify(failed)).not.toContain('targetType');
    expect(logged.mock.calls.some(([message]) => String(message).includes(reference!) && String(message).includes(failed.commandId))).toBe(
      true,
    );
    expect(events.map((e) => JSON.parse(String(e.value)).type)).toEqual(['TenantCreated', 'TenantRenamed']);
    expect(deadLetters).toHaveLength(0);
    logged.mockRestore();
  });

  it('answers a repeated commandId in the same slice with the same INTERNAL_ERROR, marked duplicate', async () => {
    const script = tenantScript();
    const handler = await handlerWith((id) => (id === script.create.envelope.commandId ? new Error('boom') : undefined));
    const { results } = await run(handler, [script.messages[0], script.messages[0]]);
    expect(results).toHaveLength(2);
    expect(results[1]).toEqual({ ...results[0], duplicate: true });
  });

  it('lets a failure of Postgres or Kafka leave the handler, so the slice is retried', async () => {
    const script = tenantScript();
    const handler = await handlerWith(() => new InfrastructureFailure('postgres', new Error('Connection terminated unexpectedly')));
    await expect(handler.process(sliceOf(script.messages))).rejects.toBeInstanceOf(InfrastructureFailure);
  });
});

describe('CommandPartitionHandler: outcomes for metrics', () => {
  it('reports each command once its transaction commits, with the time since the slice was taken', async () => {
    const handler = await handlerWith(() => undefined);
    const outcomes: [string, string, string | undefined, number][] = [];
    handler.onOutcome = (type, outcome, code, seconds) => outcomes.push([type, outcome, code, seconds]);
    let now = 1000;
    handler.elapsedClock = () => now;
    const script = tenantScript();
    const unknown = commandMessage('LaunchRocket', {}, { tenantId: script.tenantId });

    const slice = sliceOf([...script.messages, kafkaMessage(unknown.key, unknown.value)]);
    const output = await handler.process(slice);
    now = 1250;
    expect(outcomes).toEqual([]);
    handler.committed(slice, output, { nextOutputOffsets: new Map() } as unknown as TransactionReceipt);

    expect(outcomes).toEqual([
      ['CreateTenant', 'accepted', undefined, 0.25],
      ['CreateMonitor', 'accepted', undefined, 0.25],
      ['LaunchRocket', 'rejected', expect.any(String), 0.25],
    ]);
  });
});

describe('CommandPartitionHandler: personal data', () => {
  it("seals the personal fields of a slice's registrations, creating their keys in one call, and shreds erased users' keys", async () => {
    const keys = new KeysInMemory();
    const handler = await handlerWith(() => undefined, keys);
    const script = tenantScript();
    const { tenantId } = script;
    const users = ['ada@example.com', 'bob@example.com'].map((email) =>
      commandMessage('RegisterUser', { ...validPayload('RegisterUser'), email }, { tenantId }),
    );
    const adaId = (users[0].envelope.payload as { userId: string }).userId;
    const erase = commandMessage('EraseUser', { userId: adaId }, { tenantId });
    const again = commandMessage('EraseUser', { userId: adaId }, { tenantId });
    const messages = [script.messages[0], ...[...users, erase, again].map((m) => kafkaMessage(m.key, m.value))];

    const { events, results } = await run(handler, messages);

    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    expect(keys.calls).toEqual(['dataKeysFor 2', 'destroy 1']);
    const written = events.map(
      (e) => JSON.parse(String(e.value)) as { type: string; aggregateId: string; payload: Record<string, unknown> },
    );
    expect(written.map((e) => e.type)).toEqual(['TenantCreated', 'UserRegistered', 'UserRegistered', 'UserErased']);
    expect(events.map((e) => String(e.value)).join('\n')).not.toMatch(/example\.com|\$2b\$/);
    const [ada, bob] = written.slice(1, 3);
    expect(isSealedPersonalData(ada.payload.personal)).toBe(true);
    expect(ada.payload.emailHash).toBe(TEST_DECISION_PORTS.emailHashOf('ada@example.com'));
    // Ada's key is gone with the erasure; Bob's still opens his fields.
    expect(keys.keys.has(userRefKey({ tenantId, userId: ada.aggregateId }))).toBe(false);
    const bobKey = keys.keys.get(userRefKey({ tenantId, userId: bob.aggregateId }))!;
    expect(openPersonalData({ tenantId, userId: bob.aggregateId }, bobKey, bob.payload.personal as never).email).toBe('bob@example.com');
  });

  it('retries the slice when the key store fails, writing nothing unsealed', async () => {
    const failing: PersonalDataKeysPort = {
      dataKeysFor: async () => {
        throw new Error('connection refused');
      },
      destroy: async () => undefined,
    };
    const handler = await handlerWith(() => undefined, failing);
    const script = tenantScript();
    const user = commandMessage('RegisterUser', validPayload('RegisterUser'), { tenantId: script.tenantId });
    await expect(handler.process(sliceOf([script.messages[0], kafkaMessage(user.key, user.value)]))).rejects.toBeInstanceOf(
      InfrastructureFailure,
    );
  });
});

describe('CommandPartitionHandler: where the output must land', () => {
  it('names the offset its results, events and checks must start at, so a send that wrote any of them twice aborts', async () => {
    const handler = await handlerWith(() => undefined);
    const script = tenantScript();
    const first = sliceOf(script.messages);
    const output = await handler.process(first);
    expect(output.assumedBaseOffsets).toEqual(
      new Map([
        [topics.events, 0n],
        [topics.checkEvents, 0n],
        [topics.commandResults, 0n],
      ]),
    );
    // Two results and their commit marker: the next transaction's results start at 3.
    const nextOutputOffsets = new Map([
      [topics.events, 3n],
      [topics.commandResults, 3n],
    ]);
    handler.committed(first, output, { nextOffset: 2n, nextOutputOffsets });
    const next = commandMessage('RenameTenant', { name: 'Later' }, { tenantId: script.tenantId });
    const second = await handler.process(sliceOf([kafkaMessage(next.key, next.value)]));
    expect(second.assumedBaseOffsets?.get(topics.commandResults)).toBe(3n);
  });
});
