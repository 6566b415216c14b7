export * from './shared/command';
export * from './shared/event';
export * from './shared/domain-error';
export * from './shared/outcome';
export * from './shared/plan-limits';
export * from './shared/text';

export * from './tenant/tenant.commands';
export * from './tenant/tenant.events';
export * from './tenant/tenant.state';
export * from './tenant/tenant.decider';

export * from './user/user.commands';
export * from './user/user.events';
export * from './user/user.state';
export * from './user/user.decider';

export * from './api-key/api-key.commands';
export * from './api-key/api-key.events';
export * from './api-key/api-key.state';
export * from './api-key/api-key.decider';

export * from './monitor/monitor.commands';
export * from './monitor/monitor.events';
export * from './monitor/check-id-window';
export * from './monitor/monitor.state';
export * from './monitor/monitor.decider';

export * from './maintenance/maintenance.commands';
export * from './maintenance/maintenance.events';
export * from './maintenance/maintenance.state';
export * from './maintenance/maintenance.schedule';
export * from './maintenance/maintenance.decider';
export { isIanaTimeZone } from './maintenance/maintenance-time';

export * from './domain-command';
export * from './domain-event';
export * from './decision';

export * from './tenant-write-state/tenant-write-state';
export * from './tenant-write-state/tenant-write-state.decider';
export * from './tenant-write-state/tenant-write-state.snapshot';
