export * from './run-service';
export * from './platform.imports';
