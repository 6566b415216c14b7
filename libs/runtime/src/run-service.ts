import 'reflect-metadata';
import { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, ConfigError, loadConfig, ServiceRole } from '@vinsight/config';
import { Migrator, migrationsDirectory } from '@vinsight/database';
import { LifecycleState } from '@vinsight/health';
import { Logger } from 'nestjs-pino';
import pino, { Logger as PinoLogger } from 'pino';

export interface ServiceDefinition {
  /** Name in logs and metrics. */
  name: string;
  roles: ServiceRole[];
  module: (config: AppConfig, lifecycle: LifecycleState) => DynamicModule | Type<unknown>;
}

/**
 * Boots one deployable: validate the environment (a bad variable stops the process with its
 * name), apply migrations under the advisory lock, start Nest on Fastify, and drain on SIGTERM
 * within the configured grace period.
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

  if (config.database.migrateOnStart) {
    const migrator = new Migrator(config.database.ownerUrl!, migrationsDirectory(), {
      info: (message) => bootLogger.info(message),
    });
    await migrator.up();
  }
  lifecycle.migrationsApplied = true;

  const app = await NestFactory.create<NestFastifyApplication>(
    definition.module(config, lifecycle),
    new FastifyAdapter({ trustProxy: true }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  installGracefulShutdown(app, lifecycle, config.shutdownGraceMs, bootLogger);
  await app.listen(config.http.port, config.http.host);
  bootLogger.info({ port: config.http.port, roles: definition.roles }, `${definition.name} listening`);
  return app;
}

function installGracefulShutdown(
  app: NestFastifyApplication,
  lifecycle: LifecycleState,
  graceMs: number,
  logger: PinoLogger,
) {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    // Readiness turns 503 at once so the load balancer stops sending work while we drain.
    lifecycle.shuttingDown = true;
    logger.info({ signal, graceMs }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ graceMs }, 'shutdown exceeded its grace period, exiting');
      process.exit(1);
    }, graceMs);
    deadline.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/** Exits non-zero on a failed boot (never a half-started process that looks alive). */
export function runMain(definition: ServiceDefinition): void {
  runService(definition).catch((error: unknown) => {
    process.stderr.write(`${definition.name}: failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
