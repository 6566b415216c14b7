import { randomUUID } from 'node:crypto';
import { eventHeaders, EventEnvelope } from '@vinsight/contracts';
import { CommandClient, CommandResultLike, createKafkaClient, topicNames } from '@vinsight/kafka';
import { Kafka, Partitioners } from 'kafkajs';
import { Pool } from 'pg';
import { createMonitor, createTenant } from '../commands/commands';
import { freePort, roleEnvironment, ServiceProcess } from '../e2e/service-process';
import { projectorPool } from '../read-api/read-api.harness';
import { testEnv } from '../test-env';
import { cleanUpRun } from './hostile-run';

/** "Promptly": a transaction lingers 50 ms; a stuck partition never answers at all. */
const PROMPTLY_MS = 10_000;

/**
 * Issue 12, cases 1, 2 and 4, through the built processor and projector on real Kafka: hostile
 * payloads get one answer each and never hold up the partition; what the processor accepts the
 * projector can store; an event the projector parks shows in readiness and in the metrics.
 */
describe('hostile commands, end to end', () => {
  const prefix = `e2e.hostile.${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(prefix);
  const env = roleEnvironment({
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_CLIENT_ID: `e2e-hostile-${randomUUID().slice(0, 8)}`,
    KAFKA_PARTITIONS: '2',
  });
  let kafka: Kafka;
  let client: CommandClient;
  let pool: Pool;
  let processor: ServiceProcess;
  let projector: ServiceProcess;
  const tenants: string[] = [];

  beforeAll(async () => {
    pool = projectorPool();
    kafka = createKafkaClient({ ...testEnv.kafka, clientId: 'hostile-e2e' }, { logLevel: 1 });
    processor = ServiceProcess.start('command-processor', env, await freePort());
    await processor.waitFor('/health/startup', 60000);
    projector = ServiceProcess.start('projector', { ...env, MIGRATE_ON_START: 'false' }, await freePort());
    await projector.waitFor('/health/startup', 60000);
    client = await CommandClient.connect(kafka, topics);
  });

  afterAll(async () => {
    await client?.disconnect();
    await Promise.all([projector?.stop(), processor?.stop()]);
    await cleanUpRun(pool, kafka, topics, prefix, tenants);
  });

  async function newTenant(): Promise<string> {
    const tenantId = randomUUID();
    tenants.push(tenantId);
    expect(await client.execute(createTenant(tenantId, { plan: 'enterprise' }))).toMatchObject({ status: 'accepted' });
    return tenantId;
  }

  /** Sends `json` raw on the tenant's key, then a valid command behind it on the same partition. */
  async function hostileThenNext(tenantId: string, json: string, commandId: string) {
    const next = createMonitor(tenantId);
    const answers = Promise.all([client.waitFor(commandId, 1, PROMPTLY_MS), client.waitFor(next.commandId, 1, PROMPTLY_MS)]);
    await client.sendRaw(tenantId, json);
    await client.send(next);
    const [[hostile], [after]] = await answers;
    expect(after).toMatchObject({ status: 'accepted', type: 'CreateMonitor' });
    // Exactly one answer: a result, and nothing more once the partition moved past it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(client.resultsOf(commandId)).toHaveLength(1);
    return hostile;
  }

  const envelopeJson = (tenantId: string, commandId: string, payloadJson: string) =>
    JSON.stringify({ commandId, type: 'CreateMonitor', tenantId, payload: {} }).replace('"payload":{}', `"payload":${payloadJson}`);

  const fieldsOf = (result: CommandResultLike) => (result.error as { details: { field: string }[] }).details.map((d) => d.field);

  it('answers a 10,000-level nested value with one VALIDATION_FAILED and goes on with the partition', async () => {
    const tenantId = await newTenant();
    const commandId = randomUUID();
    const nested = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const payload = `{"monitorId":"${randomUUID()}","name":${nested},"url":"https://example.com/"}`;
    const result = await hostileThenNext(tenantId, envelopeJson(tenantId, commandId, payload), commandId);
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'VALIDATION_FAILED' } });
    expect(fieldsOf(result)[0]).toMatch(/^payload\.name(\.a)+$/);
  });

  it.each([
    [
      '__proto__',
      `{"__proto__":{"url":"https://example.com/"},"monitorId":"${randomUUID()}","name":"x","url":"nope"}`,
      'payload.__proto__',
    ],
    [
      'constructor.prototype',
      `{"monitorId":"${randomUUID()}","name":"x","url":"https://example.com/","constructor":{"prototype":{"x":1}}}`,
      'payload.constructor',
    ],
    [
      'a nested __proto__',
      `{"monitorId":"${randomUUID()}","name":{"__proto__":{"x":1}},"url":"https://example.com/"}`,
      'payload.name.__proto__',
    ],
  ])('answers %s keys with one VALIDATION_FAILED naming the field and goes on with the partition', async (_label, payload, field) => {
    const tenantId = await newTenant();
    const commandId = randomUUID();
    const result = await hostileThenNext(tenantId, envelopeJson(tenantId, commandId, payload), commandId);
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'VALIDATION_FAILED' } });
    expect(fieldsOf(result)).toEqual([field]);
  });

  it('refuses a monitor name holding a NUL with VALIDATION_FAILED naming payload.name, so nothing unreadable is accepted', async () => {
    const tenantId = await newTenant();
    const result = await client.execute(createMonitor(tenantId, randomUUID(), { name: 'nul \u0000 inside' }), PROMPTLY_MS);
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'VALIDATION_FAILED' } });
    expect(fieldsOf(result)).toEqual(['payload.name']);
  });

  it('shows an event the projector parked in readiness (503, naming the projection and the count) and in the metrics', async () => {
    const tenantId = await newTenant();
    const ready = async () => {
      const response = await fetch(projector.url('/health/ready'));
      return { status: response.status, body: (await response.json()) as { error?: { projection?: { message?: string } } } };
    };
    await waitFor(async () => (await ready()).status === 200, 60_000);

    // An event the projector cannot store, written beside the processor (as an older build might have).
    const monitorId = randomUUID();
    const event: EventEnvelope = {
      eventId: randomUUID(),
      type: 'MonitorCreated',
      schemaVersion: 1,
      tenantId,
      aggregateType: 'monitor',
      aggregateId: monitorId,
      version: 1,
      occurredAt: new Date().toISOString(),
      commandId: randomUUID(),
      correlationId: randomUUID(),
      payload: { monitorId, name: 'nul \u0000 inside', url: 'https://example.com/', checkInterval: 60 },
    } as EventEnvelope;
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic: topics.events,
      messages: [{ key: tenantId, value: JSON.stringify(event), headers: eventHeaders(event) }],
    });
    await producer.disconnect();

    await waitFor(async () => (await ready()).status === 503, 30_000);
    expect((await ready()).body.error?.projection?.message).toContain('read-models: 1 parked event(s) not resolved');
    const metrics = await (await fetch(projector.url('/metrics'))).text();
    expect(metrics).toMatch(/^vinsight_parked_events\{[^}]*projection="read-models"[^}]*\} 1$/m);
    expect(metrics).toMatch(/^vinsight_events_parked_total\{[^}]*projection="read-models"[^}]*\} 1$/m);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
