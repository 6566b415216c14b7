import { DynamicModule, Logger, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AppConfig, personalDataKeysOf } from '@vinsight/config';
import { PROJECTOR_POOL } from '@vinsight/database';
import { LifecycleState } from '@vinsight/health';
import { CLOCK, nestKafkaLogger, systemClock } from '@vinsight/runtime';
import { createKafkaClient, topicNames } from '@vinsight/kafka';
import { PersonalDataVault } from '@vinsight/personal-data';
import { Pool } from 'pg';
import { CommandPartitionHandler } from './command-partition.handler';
import { CommandProcessorService } from './command-processor.service';
import { CommandDeciders } from './handlers/command-deciders';
import { ReserveUniqueValueHandler } from './handlers/reserve-unique-value.handler';
import { PartitionStateLoader } from './partition-state.loader';
import { deterministicEventIds, EVENT_IDS } from './ports';
import { UniqueReservationsRepository } from './unique-reservations.repository';
import { SnapshotStore } from './snapshot.store';
import { EMAIL_HASH, KAFKA_CLIENT, REMEMBERED_RESULTS, TOPIC_NAMES } from './tokens';

/** The command processor role: Kafka commands in, events and results out, exactly once. */
@Module({})
export class CommandProcessingModule {
  static forRoot(config: AppConfig, lifecycle: LifecycleState): DynamicModule {
    return {
      module: CommandProcessingModule,
      imports: [CqrsModule.forRoot()],
      providers: [
        { provide: KAFKA_CLIENT, useFactory: () => createKafkaClient(config.kafka, { logger: nestKafkaLogger(new Logger('KafkaJS')) }) },
        { provide: LifecycleState, useValue: lifecycle },
        { provide: TOPIC_NAMES, useValue: topicNames(config.kafka.topicPrefix) },
        { provide: CLOCK, useValue: systemClock },
        { provide: REMEMBERED_RESULTS, useValue: config.processor.rememberedResults },
        { provide: EVENT_IDS, useValue: deterministicEventIds },
        {
          provide: UniqueReservationsRepository,
          useFactory: (pool: Pool) => new UniqueReservationsRepository(pool),
          inject: [PROJECTOR_POOL],
        },
        { provide: SnapshotStore, useFactory: (pool: Pool) => new SnapshotStore(pool), inject: [PROJECTOR_POOL] },
        {
          provide: PersonalDataVault,
          useFactory: (pool: Pool) => new PersonalDataVault(pool, personalDataKeysOf(config)),
          inject: [PROJECTOR_POOL],
        },
        {
          provide: EMAIL_HASH,
          useFactory: (vault: PersonalDataVault) => ({ emailHashOf: vault.emailHashOf }),
          inject: [PersonalDataVault],
        },
        PartitionStateLoader,
        CommandPartitionHandler,
        CommandProcessorService,
        CommandDeciders,
        ReserveUniqueValueHandler,
      ],
      exports: [CommandProcessorService],
    };
  }
}
