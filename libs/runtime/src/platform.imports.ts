import { DynamicModule, ModuleMetadata } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@vinsight/config';
import { API_POOL, DatabaseModule, PROJECTOR_POOL, REPLICA_POOL } from '@vinsight/database';
import { HealthModule, LifecycleState, PRIMARY_POOL, ReadinessChecksOptions } from '@vinsight/health';
import { LoggingModule, MetricsModule } from '@vinsight/observability';

/** The modules every role carries: config, logging, metrics, database pools and the health probes. */
export function platformImports(options: {
  service: string;
  config: AppConfig;
  lifecycle: LifecycleState;
  /** Pool token the readiness probe pings (the role's own database user). */
  primaryPool: symbol;
  /** The readiness checks this role needs beyond the primary's ping. */
  checks?: ReadinessChecksOptions;
  /** Modules whose exports the health checks inject (e.g. the projection lag source). */
  healthImports?: ModuleMetadata['imports'];
}): DynamicModule[] {
  const { config, lifecycle } = options;
  return [
    ConfigModule.forRoot(config),
    LoggingModule.forRoot({ level: config.logLevel, service: options.service }),
    DatabaseModule.forRoot(config),
    MetricsModule.forRoot({
      service: options.service,
      pools: [
        { name: 'projector', token: PROJECTOR_POOL },
        { name: 'api', token: API_POOL },
        { name: 'replica', token: REPLICA_POOL },
      ],
    }),
    HealthModule.forRoot({
      primaryPool: { provide: PRIMARY_POOL, useExisting: options.primaryPool },
      lifecycle,
      checks: options.checks,
      imports: options.healthImports,
    }),
  ];
}
