import 'reflect-metadata';
import { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, ConfigError, loadConfig, ServiceRole } from '@vinsight/config';
import { Migrator, migrationsDirectory, readMigrationFiles, waitForDatabase } from '@vinsight/database';
import { LifecycleState } from '@vinsight/health';
import { Logger } from 'nestjs-pino';
import pino, { Logger as PinoLogger } from 'pino';
import { createHttpAdapter } from './http-adapter';
import {
  checkKafkaAtBoot,
  checkReplicaAtBoot,
  DATABASE_VARIABLES,
  postgresStartupError,
  StartupConfigurationError,
} from './boot-connection-checks';

export interface ServiceDefinition {
  /** Name in logs and metrics. */
  name: string;
  roles: ServiceRole[];
  module: (config: AppConfig, lifecycle: LifecycleState) => DynamicModule | Type<unknown>;
}

/**
 * Boots one deployable: validate the environment (a bad variable stops the process with its
 * name), apply migrations under the advisory lock (or, with MIGRATE_ON_START=false, let the
 * startup probe wait for the schema this build expects), start Nest on Fastify, and drain on
 * SIGTERM within the configured grace period.
 */
export async function runService(definition: ServiceDefinition): Promise<NestFastifyApplication> {
  let config: AppConfig;
  try {
    config = loadConfig(definition.roles);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${definition.name}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const bootLogger = pino({ level: config.logLevel, base: { service: definition.name } });
  const lifecycle = new LifecycleState();
  const boot = new ServiceBoot();
  // Installed before anything starts: a SIGTERM during the boot waits for it rather than
  // killing a migration half-way or closing pools a starting consumer is about to use.
  installGracefulShutdown(boot, lifecycle, { graceMs: config.shutdownGraceMs, drainDelayMs: config.shutdownDrainDelayMs }, bootLogger);

  const migrations = migrationsDirectory();
  lifecycle.expectedSchemaVersion = readMigrationFiles(migrations).at(-1)?.version ?? null;
  const app = await boot.track(async () => {
    await checkKafkaAtBoot(config, (message) => bootLogger.warn(message));
    await waitForDatabases(config, lifecycle, bootLogger);
    if (config.database.migrateOnStart) {
      const migrator = new Migrator(config.database.ownerUrl!, migrations, {
        info: (message) => bootLogger.info(message),
        warn: (message) => bootLogger.warn(message),
      });
      await migrator.up();
      lifecycle.migrationsApplied = true;
    }
    const created = await NestFactory.create<NestFastifyApplication>(definition.module(config, lifecycle), createHttpAdapter(lifecycle), {
      bufferLogs: true,
    });
    created.useLogger(created.get(Logger));
    await created.listen(config.http.port, config.http.host);
    return created;
  });
  bootLogger.info({ port: config.http.port, roles: definition.roles }, `${definition.name} listening`);
  return app;
}

/**
 * A Postgres that is down at start-up (restarting, failing over, not up yet in a fresh
 * environment) is waited for, with a line per attempt, rather than ending the process: the
 * startup probe bounds the wait. Each database this process connects to at boot is asked in turn
 * (the migration role's only when it migrates); the optional replica is not waited for, reads go
 * to the primary until it answers.
 */
async function waitForDatabases(config: AppConfig, lifecycle: LifecycleState, logger: PinoLogger): Promise<void> {
  const { migrateOnStart, ownerUrl, projectorUrl, apiUrl, replicaUrl } = config.database;
  const databases: [keyof typeof DATABASE_VARIABLES, string | undefined][] = [
    ['migrations', migrateOnStart ? ownerUrl : undefined],
    ['projector', projectorUrl],
    ['read API', apiUrl],
  ];
  for (const [name, url] of databases) {
    if (!url) continue;
    await waitForDatabase(url, name, { warn: (message) => logger.warn(message), stopped: () => lifecycle.shuttingDown }).catch(
      (error: unknown) => {
        throw postgresStartupError(DATABASE_VARIABLES[name], url, error) ?? error;
      },
    );
  }
  if (replicaUrl) await checkReplicaAtBoot(replicaUrl, (message) => logger.warn(message));
}

/** The boot in progress, so a shutdown can wait for it: the app exists (and listens) only after. */
class ServiceBoot {
  private done: Promise<NestFastifyApplication | undefined> = new Promise(() => undefined);
  listening = false;

  track(start: () => Promise<NestFastifyApplication>): Promise<NestFastifyApplication> {
    const started = start().then((app) => {
      this.listening = true;
      return app;
    });
    // A failed boot is runMain's to report; a shutdown waiting for it only needs to know.
    this.done = started.catch(() => undefined);
    return started;
  }

  finished(): Promise<NestFastifyApplication | undefined> {
    return this.done;
  }
}

/**
 * SIGTERM (or SIGINT): readiness turns 503 at once. A process that was serving keeps answering
 * for `drainDelayMs`, the time Kubernetes takes to remove the pod from its Service's endpoints,
 * so requests routed here meanwhile are served rather than refused; then Nest closes (consumers
 * finish their batch and commit, the listener and pools close). A signal during the boot waits
 * for the boot, then closes without a delay (the pod was never ready, so never routed to). The
 * process exits 0 by drainDelayMs + graceMs after the signal, or 1 then; the pod's
 * terminationGracePeriodSeconds must exceed that sum.
 */
function installGracefulShutdown(
  boot: ServiceBoot,
  lifecycle: LifecycleState,
  timing: { graceMs: number; drainDelayMs: number },
  logger: PinoLogger,
) {
  let closing = false;
  const shutdown = async (signal: string) => {
    // A second signal during the drain must not fall through to Node's default (exit at once).
    if (closing) return;
    closing = true;
    lifecycle.shuttingDown = true;
    const wasServing = boot.listening;
    logger.info({ signal, wasServing, ...timing }, 'shutting down');
    const limitMs = timing.drainDelayMs + timing.graceMs;
    const deadline = setTimeout(() => {
      logger.error({ limitMs }, 'shutdown exceeded its drain delay and grace period, exiting');
      process.exit(1);
    }, limitMs);
    deadline.unref();
    const app = await boot.finished();
    if (!app) return; // the boot failed: runMain reports it and exits 1
    if (wasServing && timing.drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, timing.drainDelayMs));
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** Exits non-zero on a failed boot (never a half-started process that looks alive). */
export function runMain(definition: ServiceDefinition): void {
  runService(definition).catch((error: unknown) => {
    if (error instanceof StartupConfigurationError) {
      process.stderr.write(`${definition.name}: ${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`${definition.name}: failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
