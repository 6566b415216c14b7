export * from './correlation-id';
export * from './kafka-trace-headers';
export * from './trace-context';
export * from './trace-scope';
