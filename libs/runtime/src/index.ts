export * from './clock';
export * from './nest-kafka-logger';
export * from './run-service';
export * from './platform.imports';
export * from './fault-injection';
export * from './http-adapter';
