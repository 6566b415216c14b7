import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { environmentVariableNames, loadConfig } from '@vinsight/config';

/** No Docker engine runs here, so check what can be checked: structure, ports, and variable names. */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8'));
  const services = compose.services as Record<string, any>;

  it('has Kafka, a Postgres primary and replica, and the service, each with a healthcheck', () => {
    expect(Object.keys(services).sort()).toEqual(['core', 'kafka', 'postgres', 'postgres-replica']);
    for (const service of Object.values(services)) expect(service.healthcheck?.test).toBeDefined();
    expect(services.kafka.image).toMatch(/^apache\/kafka:4\./);
    expect(services.postgres.image).toBe('postgres:15');
    expect(services['postgres-replica'].image).toBe('postgres:15');
  });

  it('runs Kafka in KRaft mode as broker and controller', () => {
    const env = services.kafka.environment;
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`${env.KAFKA_NODE_ID}@kafka:9093`);
    expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
  });

  it('publishes the same ports as the local stack', () => {
    expect(services.kafka.ports).toContain('9092:9092');
    expect(services.postgres.ports).toContain('5432:5432');
    expect(services['postgres-replica'].ports).toContain('5433:5432');
    expect(services.core.ports).toContain(`${services.core.environment.HTTP_PORT}:3000`);
  });

  it('gives the service only variables the config schema knows, and a valid configuration', () => {
    const env = services.core.environment as Record<string, string>;
    const known = new Set(environmentVariableNames());
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
    const config = loadConfig(['command-processor', 'projector', 'read-api'], env);
    expect(config.kafka.brokers).toEqual(['kafka:9092']);
    expect(config.database.replicaUrl).toContain('postgres-replica');
  });

  it('sets no test-only fault injection', () => {
    const env = services.core.environment as Record<string, string>;
    expect(Object.keys(env).filter((name) => name.startsWith('FAULT_INJECTION_'))).toEqual([]);
  });
});
