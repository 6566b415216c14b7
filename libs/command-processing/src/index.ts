export * from './command-processing.module';
export * from './command-processor.service';
export * from './command-partition.handler';
export * from './ports';
export * from './tokens';
export * from './partition-state';
export * from './partition-state.loader';
export * from './snapshot.store';
