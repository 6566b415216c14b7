import { DynamicModule } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@vinsight/config';
import { DatabaseModule } from '@vinsight/database';
import { HealthModule, LifecycleState, PRIMARY_POOL } from '@vinsight/health';
import { LoggingModule } from '@vinsight/observability';

/** The modules every role carries: config, logging, database pools and the health probes. */
export function platformImports(options: {
  service: string;
  config: AppConfig;
  lifecycle: LifecycleState;
  /** Pool token the readiness probe pings (the role's own database user). */
  primaryPool: symbol;
}): DynamicModule[] {
  const { config, lifecycle } = options;
  return [
    ConfigModule.forRoot(config),
    LoggingModule.forRoot({ level: config.logLevel, service: options.service }),
    DatabaseModule.forRoot(config),
    HealthModule.forRoot({ primaryPool: { provide: PRIMARY_POOL, useExisting: options.primaryPool }, lifecycle }),
  ];
}
