export * from './app-metrics';
export * from './metrics.module';
export * from './metrics.options';
export { UNMATCHED_ROUTE } from './http-metrics.hook';
