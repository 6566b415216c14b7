import type { Command } from '../shared/command';
import type { Plan } from '../shared/plan-limits';

export type CreateTenant = Command<'CreateTenant', { name: string; slug: string; plan: Plan }>;
export type RenameTenant = Command<'RenameTenant', { name: string }>;
export type ChangeTenantPlan = Command<'ChangeTenantPlan', { plan: Plan }>;
export type DeactivateTenant = Command<'DeactivateTenant', { reason?: string }>;
export type ReactivateTenant = Command<'ReactivateTenant', Record<string, never>>;
export type DeleteTenant = Command<'DeleteTenant', Record<string, never>>;

export type TenantCommand = CreateTenant | RenameTenant | ChangeTenantPlan | DeactivateTenant | ReactivateTenant | DeleteTenant;
