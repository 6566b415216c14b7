import { ReadModel } from '../engine/read-model';
import { apiKeysReadModel } from './api-keys/api-keys.read-model';
import { auditEventsReadModel } from './audit-events/audit-events.read-model';
import { checksReadModel } from './checks/checks.read-model';
import { maintenanceWindowsReadModel } from './maintenance-windows/maintenance-windows.read-model';
import { monitorsReadModel } from './monitors/monitors.read-model';
import { tenantsReadModel } from './tenants/tenants.read-model';
import { usersReadModel } from './users/users.read-model';

/**
 * Every read model the projector keeps, in the order the engine applies a batch to them. The
 * order matters in two places: checks before monitors (a monitor's last check follows only the
 * checks that were stored now, see monitors.read-model.ts) and audit-events last (it records the
 * events the others accepted).
 */
export const READ_MODELS: readonly ReadModel[] = [
  tenantsReadModel,
  usersReadModel,
  apiKeysReadModel,
  checksReadModel,
  monitorsReadModel,
  maintenanceWindowsReadModel,
  auditEventsReadModel,
];
