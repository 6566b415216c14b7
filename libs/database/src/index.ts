export * from './database.module';
export * from './migrator';
export * from './pool.factory';
export * from './tenant-context';
export * from './connection-errors';
export * from './wait-for-database';
export * from './read-model-notifications';
export * from './postgres-configuration';
