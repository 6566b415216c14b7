import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  alreadyExists,
  COMMAND_TYPES,
  CommandType,
  decide,
  Decision,
  DecisionPorts,
  DomainCommand,
  TenantWriteState,
} from '@vinsight/domain';
import { EMAIL_HASH } from '../tokens';
import type { ReservedValueKind } from '../unique-reservations.repository';
import { ReserveUniqueValue } from './reserve-unique-value.handler';

export type CommandDecider = (command: DomainCommand, state: TenantWriteState) => Decision | Promise<Decision>;

/** What a command must hold across ALL tenants once its decider accepts it, which no partition can know. */
interface UniqueValue {
  readonly kind: ReservedValueKind;
  readonly value: string;
  readonly field: string;
  readonly taken: string;
}

const UNIQUE_VALUES: Partial<{ [T in CommandType]: (command: Extract<DomainCommand, { type: T }>) => UniqueValue }> = {
  CreateTenant: ({ data: { slug } }) => ({
    kind: 'tenantSlug',
    value: slug,
    field: 'payload.slug',
    taken: `slug "${slug}" is taken by another tenant`,
  }),
  IssueApiKey: ({ data: { tokenSha256 } }) => ({
    kind: 'apiKeyToken',
    value: tokenSha256,
    field: 'payload.tokenSha256',
    taken: 'the token is in use by another tenant',
  }),
};

/**
 * The command side's one dispatch: from a command's type to the call that decides it. Most
 * commands are the pure decider alone; CreateTenant (its slug) and IssueApiKey (its token) need
 * a value free across ALL tenants, reserved in Postgres (through the CommandBus) after the
 * decider accepts and before the event is written.
 */
@Injectable()
export class CommandDeciders {
  private readonly byType: ReadonlyMap<CommandType, CommandDecider>;

  constructor(
    private readonly commandBus: CommandBus,
    @Inject(EMAIL_HASH) private readonly ports: DecisionPorts,
  ) {
    const pure: CommandDecider = (command, state) => decide(command, state, this.ports);
    this.byType = new Map(
      COMMAND_TYPES.map((type): [CommandType, CommandDecider] => {
        const uniqueValueOf = UNIQUE_VALUES[type] as ((command: DomainCommand) => UniqueValue) | undefined;
        return [type, uniqueValueOf ? (command, state) => this.decideReserving(command, state, uniqueValueOf) : pure];
      }),
    );
  }

  decide(command: DomainCommand, state: TenantWriteState): Decision | Promise<Decision> {
    const decider = this.byType.get(command.type);
    if (!decider) throw new Error(`no decider for command type ${command.type}`);
    return decider(command, state);
  }

  private async decideReserving(
    command: DomainCommand,
    state: TenantWriteState,
    uniqueValueOf: (command: DomainCommand) => UniqueValue,
  ): Promise<Decision> {
    const decision = decide(command, state, this.ports);
    if (!decision.ok) return decision;
    const unique = uniqueValueOf(command);
    const { tenantId, commandId } = command.metadata;
    const reservation = await this.commandBus.execute(new ReserveUniqueValue(unique.kind, unique.value, tenantId, commandId));
    return reservation.outcome === 'taken' ? { ok: false, error: alreadyExists(unique.taken, unique.field) } : decision;
  }
}
