/**
 * The read API on Express, for `npm run bench:api`'s platform comparison (issue 5: "choose the
 * HTTP platform by measuring it"): the same modules as bench-api.server.ts (platformImports,
 * ReadApiHttpModule with the `pg` hot path, rate limit off), booted as runService boots them but
 * on @nestjs/platform-express instead of Fastify. Express's own ETag and X-Powered-By are off, so
 * both platforms do the same work per request. Not a deployable: the services run on Fastify.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@vinsight/config';
import { API_POOL } from '@vinsight/database';
import { LifecycleState } from '@vinsight/health';
import { ReadApiHttpModule } from '@vinsight/read-api';
import { platformImports } from '@vinsight/runtime';
import { Logger } from 'nestjs-pino';

async function main(): Promise<void> {
  const config = loadConfig(['read-api']);
  const lifecycle = new LifecycleState();
  lifecycle.migrationsApplied = true;

  @Module({
    imports: [
      ...platformImports({ service: 'bench-read-api-express', config, lifecycle, primaryPool: API_POOL }),
      ReadApiHttpModule.forRoot({ settings: { rateLimit: { requestsPerSecond: 0, burst: 1 } } }),
    ],
  })
  class BenchExpressReadApiModule {}

  const app = await NestFactory.create<NestExpressApplication>(BenchExpressReadApiModule, new ExpressAdapter(), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.set('trust proxy', true);
  app.set('etag', false);
  app.disable('x-powered-by');
  await app.listen(config.http.port, config.http.host);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench read API (express) failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
