export * from './errors/wire-error';
export * from './json';
export * from './http/problem-details';

export * from './commands/wire-format.decorators';
export * from './commands/command-envelope.dto';
export * from './commands/payloads/tenant.payloads';
export * from './commands/payloads/user.payloads';
export * from './commands/payloads/api-key.payloads';
export * from './commands/payloads/monitor.payloads';
export * from './commands/payloads/maintenance.payloads';
export * from './commands/command-registry';
export * from './commands/parse-command-message';
export * from './commands/json-structure';

export * from './events/event-envelope';
export * from './events/event-upcasters';
export * from './results/command-result';
export * from './dead-letters/dead-letter';
export * from './consistency-token';
export * from './schemas/command-json-schemas';
export * from './consistency-token';
