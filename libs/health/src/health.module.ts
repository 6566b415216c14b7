import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthCheckLogger } from './health-check.logger';
import { HealthController } from './health.controller';
import { HEALTH_OPTIONS, HealthModuleOptions } from './health.options';
import { ConsumerGroupIndicator } from './kafka/consumer-group.indicator';
import { ConsumerGroupRegistry } from './kafka/consumer-group.registry';
import { KafkaBrokerIndicator } from './kafka/kafka-broker.indicator';
import { KafkaBrokerProbe } from './kafka/kafka-broker.probe';
import { LifecycleState } from './lifecycle.state';
import { LivenessIndicator } from './liveness.indicator';
import { PartitionProgressRegistry } from './partitions/partition-progress.registry';
import { StuckPartitionsIndicator } from './partitions/stuck-partitions.indicator';
import { PostgresIndicator } from './postgres.indicator';
import { ProjectionLagIndicator } from './projection/projection-lag.indicator';
import { ProjectionLagRegistry } from './projection/projection-lag.registry';
import { ReadinessProbe } from './readiness.probe';
import { ReplicationLagIndicator } from './replication/replication-lag.indicator';
import { SchemaVersionIndicator } from './schema/schema-version.indicator';

@Module({})
export class HealthModule {
  /**
   * `/health/live`, `/health/ready` and `/health/startup` for one role. `checks` turns on the
   * readiness checks the role needs. Global, so roles can inject LifecycleState and the
   * consumer-group and projection-lag registries from any module.
   */
  static forRoot(options: HealthModuleOptions): DynamicModule {
    return {
      module: HealthModule,
      global: true,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: HealthCheckLogger }), ...(options.imports ?? [])],
      controllers: [HealthController],
      providers: [
        { provide: HEALTH_OPTIONS, useValue: options },
        { provide: LifecycleState, useValue: options.lifecycle },
        options.primaryPool,
        LivenessIndicator,
        PostgresIndicator,
        ReplicationLagIndicator,
        KafkaBrokerProbe,
        KafkaBrokerIndicator,
        ConsumerGroupRegistry,
        ConsumerGroupIndicator,
        ProjectionLagRegistry,
        ProjectionLagIndicator,
        ReadinessProbe,
        SchemaVersionIndicator,
        PartitionProgressRegistry,
        StuckPartitionsIndicator,
      ],
      exports: [LifecycleState, ConsumerGroupRegistry, ProjectionLagRegistry, PartitionProgressRegistry],
    };
  }
}
