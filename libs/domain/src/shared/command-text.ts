import type { DomainCommand } from '../domain-command';
import type { DomainError } from './domain-error';
import { validationFailed } from './domain-error';
import type { TextRule } from './text';
import { TEXT_RULES, textProblem } from './text';

/** The text fields of each command's data, with their rules. */
const TEXT_FIELDS: Partial<Record<DomainCommand['type'], Record<string, TextRule>>> = {
  CreateTenant: { name: TEXT_RULES.tenantName },
  RenameTenant: { name: TEXT_RULES.tenantName },
  DeactivateTenant: { reason: TEXT_RULES.deactivationReason },
  RegisterUser: { email: TEXT_RULES.email },
  IssueApiKey: { name: TEXT_RULES.apiKeyName },
  CreateMonitor: { name: TEXT_RULES.monitorName, url: TEXT_RULES.monitorUrl },
  UpdateMonitor: { name: TEXT_RULES.monitorName, url: TEXT_RULES.monitorUrl },
  RecordCheckResult: { errorMessage: TEXT_RULES.checkErrorMessage, region: TEXT_RULES.checkRegion },
  ScheduleMaintenance: { title: TEXT_RULES.maintenanceTitle },
};

/**
 * The first text field of the command that breaks the text rule, as VALIDATION_FAILED. The wire
 * refuses such text before a decider sees it; deciding it again here keeps "every text in an
 * event is storable" a rule of the domain, whoever builds the command.
 */
export function commandTextProblem(command: DomainCommand): DomainError | null {
  const data = command.data as unknown as Record<string, unknown>;
  for (const [field, rule] of Object.entries(TEXT_FIELDS[command.type] ?? {})) {
    const value = data[field];
    const problem = typeof value === 'string' ? textProblem(value, rule) : null;
    if (problem !== null) return validationFailed(`payload.${field}`, `${field} ${problem}`);
  }
  const { issuedBy } = command.metadata;
  const problem = issuedBy === undefined ? null : textProblem(issuedBy, TEXT_RULES.issuedBy);
  return problem === null ? null : validationFailed('issuedBy', `issuedBy ${problem}`);
}
