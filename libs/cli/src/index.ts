export * from './exit-codes';
export * from './arguments/cli-arguments';
export * from './envelope/command-envelope.builder';
export * from './api-key/api-key-token';
export * from './settings/cli.settings';
export * from './kafka/kafka-command-sender';
export * from './cli';
