import { AnalyticsController } from './features/analytics/analytics.controller';
import { AuditEventsController } from './features/audit-events/audit-events.controller';
import { ChecksController } from './features/checks/checks.controller';
import { IncidentsController } from './features/incidents/incidents.controller';
import { MaintenanceWindowsController } from './features/maintenance-windows/maintenance-windows.controller';
import { MonitorsController } from './features/monitors/monitors.controller';
import { SummaryController } from './features/summary/summary.controller';
import { TenantController } from './features/tenant/tenant.controller';
import { UsersController } from './features/users/users.controller';
import { StreamController } from './stream/stream.controller';

/** The /v1 controllers, in the order the OpenAPI document lists them. */
export const READ_API_CONTROLLERS = [
  TenantController,
  UsersController,
  MonitorsController,
  ChecksController,
  AnalyticsController,
  IncidentsController,
  MaintenanceWindowsController,
  SummaryController,
  AuditEventsController,
  StreamController,
];
