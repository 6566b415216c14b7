import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CLOCK, Clock, systemClock } from '@vinsight/runtime';
import { CredentialAuthenticator } from './auth/credential.authenticator';
import { JwtVerifier } from './auth/jwt.verifier';
import { ReadApiGuard } from './auth/read-api.guard';
import { ConsistencyWaiter } from './consistency/consistency.waiter';
import { ReadModelsDatabase } from './database/read-models.database';
import { ReplicaRouter } from './database/replica-router';
import { AnalyticsRepository } from './features/analytics/analytics.repository';
import { AuditEventsRepository } from './features/audit-events/audit-events.repository';
import { ChecksRepository } from './features/checks/checks.repository';
import { IncidentsRepository } from './features/incidents/incidents.repository';
import { MaintenanceWindowsRepository } from './features/maintenance-windows/maintenance-windows.repository';
import { MonitorsRepository } from './features/monitors/monitors.repository';
import { SummaryRepository } from './features/summary/summary.repository';
import { TenantRepository } from './features/tenant/tenant.repository';
import { UsersRepository } from './features/users/users.repository';
import { EtagInterceptor } from './http/etag.interceptor';
import { httpPlatformSetup } from './http/http-platform.setup';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { ReadModelListener } from './notifications/read-model.listener';
import { DocsController } from './openapi/docs.controller';
import { buildOpenApiDocument } from './openapi/openapi.document';
import { OPENAPI_DOCUMENT_FACTORY } from './openapi/openapi.tokens';
import { READ_API_CONTROLLERS } from './read-api.controllers';
import { READ_API_SETTINGS, ReadApiSettings, readApiSettings } from './read-api.settings';
import { TokenBucketLimiter } from './rate-limit/token-bucket.limiter';
import { EventStreamHub } from './stream/event-stream.hub';

export interface ReadApiHttpOptions {
  /** Settings not in libs/config yet; defaults from readApiSettings(). */
  settings?: Partial<ReadApiSettings>;
  /** Time source; the system clock unless a test fixes it. */
  clock?: Clock;
}

/**
 * The REST read API of openapi.yaml (/v1), its OpenAPI document (/openapi.json, /docs) and its
 * HTTP concerns (problem+json, request ids, compression, ETags, rate limits). Needs the
 * platform's modules (config, API_POOL and optionally REPLICA_POOL from DatabaseModule) and the
 * Fastify platform; apps/read-api and apps/all-in-one import it next to platformImports().
 */
@Module({})
export class ReadApiHttpModule {
  static forRoot(options: ReadApiHttpOptions = {}): DynamicModule {
    return {
      module: ReadApiHttpModule,
      controllers: [...READ_API_CONTROLLERS, DocsController],
      providers: [
        { provide: READ_API_SETTINGS, useValue: readApiSettings(options.settings) },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: OPENAPI_DOCUMENT_FACTORY, useValue: buildReadApiOpenApiDocument },
        httpPlatformSetup,
        ReplicaRouter,
        ReadModelsDatabase,
        JwtVerifier,
        CredentialAuthenticator,
        TokenBucketLimiter,
        ReadModelListener,
        ConsistencyWaiter,
        ReadApiGuard,
        EtagInterceptor,
        TenantRepository,
        UsersRepository,
        MonitorsRepository,
        ChecksRepository,
        AnalyticsRepository,
        IncidentsRepository,
        MaintenanceWindowsRepository,
        SummaryRepository,
        AuditEventsRepository,
        EventStreamHub,
      ],
      exports: [ReplicaRouter],
    };
  }
}

/** The OpenAPI document of the read API, generated from its controllers (see openapi.document.ts). */
export function buildReadApiOpenApiDocument() {
  return buildOpenApiDocument(ReadApiHttpModule.forRoot());
}
