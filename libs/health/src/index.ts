export * from './health.module';
export * from './lifecycle.state';
export * from './tokens';
