import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { eventTopicRole, parseCommandMessage } from '@vinsight/contracts';
import { DecidedEvent, decide, evolveTenantWriteState, initialTenantWriteState, TenantWriteState } from '@vinsight/domain';
import { TEST_DECISION_PORTS } from '../../libs/domain/src/testing/domain-factories';
import { Envelope } from '../commands/commands';
import { sha256 } from './read-api.fixtures';

/**
 * The model side of the read-your-writes property: generated command sequences for two tenants,
 * the outcome libs/domain's pure deciders give each command, and what a read of one tenant
 * through the API must show at a given point of its history.
 */

export type TenantIndex = 0 | 1;
type Plan = 'free' | 'pro' | 'enterprise';
type Slot = 0 | 1 | 2;

export type Op =
  | { kind: 'CreateTenant'; t: TenantIndex; plan: Plan }
  | { kind: 'RenameTenant'; t: TenantIndex; name: string }
  | { kind: 'ChangeTenantPlan'; t: TenantIndex; plan: Plan }
  | { kind: 'DeactivateTenant' | 'ReactivateTenant' | 'DeleteTenant'; t: TenantIndex }
  | { kind: 'IssueApiKey' | 'RevokeApiKey'; t: TenantIndex; key: Slot }
  | { kind: 'CreateMonitor'; t: TenantIndex; m: Slot; interval: number }
  | { kind: 'UpdateMonitor'; t: TenantIndex; m: Slot; name?: string; interval?: number }
  | { kind: 'PauseMonitor' | 'ResumeMonitor' | 'DeleteMonitor'; t: TenantIndex; m: Slot }
  | { kind: 'RecordCheckResult'; t: TenantIndex; m: Slot; check: 0 | 1 | 2 | 3; status: 'up' | 'down' | 'error' }
  /** Publish an earlier command of the sequence again, same commandId. */
  | { kind: 'Repeat'; back: number };

/** A sequence: steps of commands published together (one produce request), each step awaited before the next. */
export type Sequence = Op[][];

const tenant = fc.constantFrom<TenantIndex>(0, 1);
const slot = fc.constantFrom<Slot>(0, 1, 2);
/** Two monitors per tenant, so commands meet the monitors they name more often than not. */
const monitorSlot = fc.constantFrom<Slot>(0, 1);
const plan = fc.constantFrom<Plan>('free', 'pro', 'enterprise');
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('RecordCheckResult' as const),
      t: tenant,
      m: monitorSlot,
      check: fc.constantFrom<0 | 1 | 2 | 3>(0, 1, 2),
      status: fc.constantFrom<'up' | 'down' | 'error'>('up', 'down', 'error'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('CreateMonitor' as const),
      t: tenant,
      m: monitorSlot,
      interval: fc.constantFrom(30, 60, 300),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('UpdateMonitor' as const),
        t: tenant,
        m: monitorSlot,
        name: fc.constantFrom('Home', 'Checkout', 'Search'),
        interval: fc.constantFrom(10, 60, 120),
      },
      { requiredKeys: ['kind', 't', 'm'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('PauseMonitor' as const, 'ResumeMonitor' as const, 'DeleteMonitor' as const),
      t: tenant,
      m: monitorSlot,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('RenameTenant' as const), t: tenant, name: fc.constantFrom('Acme', 'Globex', 'Initech', '') }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ChangeTenantPlan' as const), t: tenant, plan }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('DeactivateTenant' as const, 'ReactivateTenant' as const), t: tenant }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('DeleteTenant' as const), t: tenant }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('CreateTenant' as const), t: tenant, plan }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('IssueApiKey' as const, 'RevokeApiKey' as const), t: tenant, key: slot }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('Repeat' as const), back: fc.nat({ max: 20 }) }) },
);

/** Both tenants created with a first key and a monitor, then 2-5 steps of 1-3 random commands. */
export const sequenceArbitrary: fc.Arbitrary<Sequence> = fc
  .tuple(plan, plan, fc.array(fc.array(opArbitrary, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 5 }))
  .map(([plan0, plan1, steps]) => [
    [
      { kind: 'CreateTenant', t: 0, plan: plan0 },
      { kind: 'CreateTenant', t: 1, plan: plan1 },
    ],
    [
      { kind: 'IssueApiKey', t: 0, key: 0 },
      { kind: 'IssueApiKey', t: 1, key: 0 },
      { kind: 'CreateMonitor', t: 0, m: 0, interval: 300 },
      { kind: 'CreateMonitor', t: 1, m: 0, interval: 300 },
    ],
    ...steps,
  ]);

export interface ExpectedOutcome {
  status: 'accepted' | 'rejected';
  code?: string;
  duplicate: boolean;
}

/** A command as the model decided it: its outcome and the events it wrote, by topic. */
export interface ModelledCommand {
  envelope: Envelope;
  tenant: TenantIndex;
  outcome: ExpectedOutcome;
  events: readonly DecidedEvent[];
}

/**
 * What reads of one tenant showed, part by part (each part is one HTTP request): `key0`..`key2`,
 * the status of GET /v1/tenant with each key slot; with the first key let in, `tenant` (its name
 * and plan), `monitors` (GET /v1/monitors) and `checks:<monitorId>` for each monitor listed.
 */
export type Observation = Record<string, unknown>;

export interface MonitorPart {
  id: string;
  name: string;
  checkInterval: number;
  isActive: boolean;
  status: string;
  version: number;
}

const MINUTE = 60_000;

/** One run: two tenants with their ids, keys and monitors, and the model's state of each. */
export class ModelRun {
  readonly tenantIds = [randomUUID(), randomUUID()] as const;
  readonly states: TenantWriteState[] = [initialTenantWriteState(), initialTenantWriteState()];
  /** Every command published, in order (what Repeat picks from). */
  readonly history: Envelope[] = [];
  private readonly outcomes = new Map<string, ExpectedOutcome>();
  private readonly ids = new Map<string, string>();
  private readonly started = Date.now();
  private checks = 0;

  /** A stable id per name within the run (monitor, key and check slots). */
  id(name: string): string {
    let id = this.ids.get(name);
    if (!id) this.ids.set(name, (id = randomUUID()));
    return id;
  }

  keyToken(t: TenantIndex, key: number): string {
    return `vik_${this.id(`token:${t}:${key}`)}`;
  }

  keyId(t: TenantIndex, key: number): string {
    return this.id(`key:${t}:${key}`);
  }

  monitorId(t: TenantIndex, m: number): string {
    return this.id(`monitor:${t}:${m}`);
  }

  /** The envelope of an op; null for a Repeat with nothing to repeat. */
  envelopeOf(op: Op): Envelope | null {
    if (op.kind === 'Repeat')
      return this.history.length === 0 ? null : this.history[this.history.length - 1 - (op.back % this.history.length)];
    const tenantId = this.tenantIds[op.t];
    const envelope = (type: string, payload: Record<string, unknown>): Envelope => ({ commandId: randomUUID(), type, tenantId, payload });
    switch (op.kind) {
      case 'CreateTenant':
        return envelope('CreateTenant', { name: `Tenant ${tenantId.slice(0, 8)}`, slug: `ryw-${tenantId}`, plan: op.plan });
      case 'RenameTenant':
        return envelope('RenameTenant', { name: op.name });
      case 'ChangeTenantPlan':
        return envelope('ChangeTenantPlan', { plan: op.plan });
      case 'DeactivateTenant':
      case 'ReactivateTenant':
      case 'DeleteTenant':
        return envelope(op.kind, {});
      case 'IssueApiKey':
        return envelope('IssueApiKey', {
          apiKeyId: this.keyId(op.t, op.key),
          name: `key ${op.key}`,
          tokenSha256: sha256(this.keyToken(op.t, op.key)),
        });
      case 'RevokeApiKey':
        return envelope('RevokeApiKey', { apiKeyId: this.keyId(op.t, op.key) });
      case 'CreateMonitor':
        return envelope('CreateMonitor', {
          monitorId: this.monitorId(op.t, op.m),
          name: `Monitor ${op.m}`,
          url: `https://m${op.m}.example.com/`,
          checkInterval: op.interval,
        });
      case 'UpdateMonitor':
        return envelope('UpdateMonitor', {
          monitorId: this.monitorId(op.t, op.m),
          ...(op.name !== undefined && { name: op.name }),
          ...(op.interval !== undefined && { checkInterval: op.interval }),
        });
      case 'PauseMonitor':
      case 'ResumeMonitor':
      case 'DeleteMonitor':
        return envelope(op.kind, { monitorId: this.monitorId(op.t, op.m) });
      case 'RecordCheckResult':
        // Later checks are newer, so a status moves as the sequence says; a repeated check slot is a repeated checkId.
        this.checks += 1;
        return envelope('RecordCheckResult', {
          monitorId: this.monitorId(op.t, op.m),
          checkId: this.id(`check:${op.t}:${op.m}:${op.check}`),
          status: op.status,
          responseTimeMs: 100,
          checkedAt: new Date(this.started - 30 * MINUTE + this.checks * 1000).toISOString(),
        });
    }
  }

  /** Decides the envelope with the pure deciders (after the same parsing as the processor) and moves the model on. */
  apply(envelope: Envelope): ModelledCommand {
    const t = (this.tenantIds as readonly string[]).indexOf(envelope.tenantId) as TenantIndex;
    this.history.push(envelope);
    const earlier = this.outcomes.get(envelope.commandId);
    if (earlier) return { envelope, tenant: t, outcome: { ...earlier, duplicate: true }, events: [] };
    const parsed = parseCommandMessage({ key: envelope.tenantId, value: Buffer.from(JSON.stringify(envelope)), now: new Date() });
    let outcome: ExpectedOutcome;
    let events: readonly DecidedEvent[] = [];
    if (parsed.kind === 'malformed') throw new Error(`the model produced a malformed command: ${parsed.reason}`);
    if (parsed.kind === 'rejected') {
      outcome = { status: 'rejected', code: parsed.error.code, duplicate: false };
    } else {
      const decision = decide(parsed.command, this.states[t], TEST_DECISION_PORTS);
      if (decision.ok) {
        events = decision.events;
        this.states[t] = events.reduce(evolveTenantWriteState, this.states[t]);
        outcome = { status: 'accepted', duplicate: false };
      } else {
        outcome = { status: 'rejected', code: decision.error.code, duplicate: false };
      }
    }
    this.outcomes.set(envelope.commandId, outcome);
    return { envelope, tenant: t, outcome, events };
  }

  /** Status of GET /v1/tenant with key slot `key` of tenant `t` in `state`. */
  statusOf(t: TenantIndex, state: TenantWriteState, key: number): number {
    const apiKey = state.apiKeys.get(this.keyId(t, key));
    if (!apiKey || apiKey.lifecycle !== 'active') return 401;
    if (state.tenant.lifecycle === 'absent' || state.tenant.lifecycle === 'deleted') return 401;
    return state.tenant.lifecycle === 'deactivated' ? 403 : 200;
  }

  /** What the reads of `observed`'s parts show of tenant `t` in `state` (`admitted`: the key slot the data was read with). */
  observationOf(t: TenantIndex, state: TenantWriteState, admitted: number | null, monitorIds: readonly string[]): Observation {
    const parts: Observation = {};
    for (const key of [0, 1, 2]) parts[`key${key}`] = this.statusOf(t, state, key);
    if (admitted === null) return parts;
    const status = this.statusOf(t, state, admitted);
    const refused = `HTTP ${status}`;
    const tenant = state.tenant;
    parts.tenant = status === 200 && tenant.lifecycle === 'active' ? { name: tenant.name, plan: tenant.plan } : refused;
    parts.monitors =
      status === 200
        ? [...state.monitors.values()]
            .filter((m) => m.lifecycle !== 'deleted')
            .map((m): MonitorPart => ({
              id: m.id,
              name: m.name,
              checkInterval: m.checkInterval,
              isActive: m.lifecycle === 'active',
              status: m.status,
              version: m.version,
            }))
            .sort((a, b) => a.id.localeCompare(b.id))
        : refused;
    for (const id of monitorIds) {
      const monitor = state.monitors.get(id);
      parts[`checks:${id}`] =
        status !== 200 ? refused : !monitor || monitor.lifecycle === 'deleted' ? 'HTTP 404' : [...monitor.recentCheckIds].sort();
    }
    return parts;
  }
}

/**
 * The states a read of a tenant may show with the token of its command `index` in a step whose
 * commands of that tenant are `commands` (applied from `before`): everything up to and including
 * that command on both topics, exactly; of the step's later commands, which were published with
 * it, any prefix on `events` and any prefix on `check-events` (the projector applies each topic
 * in its own transactions). For a step's last command that is one state.
 */
export function allowedStates(before: TenantWriteState, commands: readonly ModelledCommand[], index: number): TenantWriteState[] {
  const allowed: TenantWriteState[] = [];
  for (let events = index; events < commands.length; events++) {
    for (let checks = index; checks < commands.length; checks++) {
      let state = before;
      commands.forEach((command, i) => {
        for (const event of command.events) {
          const limit = eventTopicRole(event.type) === 'events' ? events : checks;
          if (i <= limit) state = evolveTenantWriteState(state, event);
        }
      });
      allowed.push(state);
    }
  }
  return allowed;
}

/**
 * Parts of `observed` that no allowed state explains. Each part is its own request, and the
 * projector may apply the step's later commands between two of them, so each part is matched on
 * its own; with one allowed state (a step's last command) that is an exact match of the whole.
 */
export function unexplainedParts(observed: Observation, allowed: readonly Observation[]): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const keys = new Set([...Object.keys(observed), ...(allowed.length === 1 ? Object.keys(allowed[0]) : [])]);
  return [...keys].filter(
    (part) => !allowed.some((state) => same(observed[part], state[part])) && !betweenStates(part, observed[part], allowed),
  );
}

/**
 * One request authenticates, then reads: a tenant deleted by a later command of the step between
 * the two is authenticated (200 in one allowed state) and then not found (404), where no single
 * state would answer 404.
 */
function betweenStates(part: string, value: unknown, allowed: readonly Observation[]): boolean {
  return (
    part.startsWith('key') && value === 404 && allowed.some((state) => state[part] === 200) && allowed.some((state) => state[part] === 401)
  );
}
