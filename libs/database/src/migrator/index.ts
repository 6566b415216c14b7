export * from './migration-files';
export * from './migrations-directory';
export * from './migrator';
