export * from './command-processing.module';
export * from './command-processor.service';
export * from './command-partition.handler';
export * from './ports';
export * from './tokens';
