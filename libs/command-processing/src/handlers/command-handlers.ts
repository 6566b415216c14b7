import { Injectable, Type } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { COMMAND_TYPES, CommandType, decide, Decision, DomainCommand, alreadyExists } from '@vinsight/domain';
import { DecideCommand, decideCommandClass } from './decide-command';
import { ReservedValueKind, UniqueReservationsRepository } from '../unique-reservations.repository';

/** The thin handler of most commands: the pure decider is the whole use case. */
function plainHandler(type: CommandType): Type<ICommandHandler<DecideCommand, Decision>> {
  @CommandHandler(decideCommandClass(type))
  class Handler implements ICommandHandler<DecideCommand, Decision> {
    async execute({ command, state }: DecideCommand): Promise<Decision> {
      return decide(command, state);
    }
  }
  Object.defineProperty(Handler, 'name', { value: `${type}Handler` });
  return Handler;
}

/** What a command must hold across ALL tenants once its decider accepts it, which no partition can know. */
interface UniqueValue {
  readonly kind: ReservedValueKind;
  readonly value: string;
  readonly field: string;
  readonly taken: string;
}

const UNIQUE_VALUES: Partial<Record<CommandType, (command: DomainCommand) => UniqueValue>> = {
  CreateTenant: (command) => {
    const { slug } = (command as Extract<DomainCommand, { type: 'CreateTenant' }>).data;
    return { kind: 'tenantSlug', value: slug, field: 'payload.slug', taken: `slug "${slug}" is taken by another tenant` };
  },
  IssueApiKey: (command) => {
    const { tokenSha256 } = (command as Extract<DomainCommand, { type: 'IssueApiKey' }>).data;
    return { kind: 'apiKeyToken', value: tokenSha256, field: 'payload.tokenSha256', taken: 'the token is in use by another tenant' };
  },
};

/**
 * CreateTenant (its slug) and IssueApiKey (its token) need a value free across ALL tenants: after
 * the decider accepts, the value is reserved in Postgres before the event is written.
 */
function reservingHandler(type: CommandType, uniqueValueOf: (command: DomainCommand) => UniqueValue) {
  @Injectable()
  @CommandHandler(decideCommandClass(type))
  class Handler implements ICommandHandler<DecideCommand, Decision> {
    constructor(private readonly reservations: UniqueReservationsRepository) {}

    async execute({ command, state }: DecideCommand): Promise<Decision> {
      const decision = decide(command, state);
      if (!decision.ok) return decision;
      const unique = uniqueValueOf(command);
      const reservation = await this.reservations.reserve(unique.kind, unique.value, command.metadata.tenantId, command.metadata.commandId);
      return reservation.outcome === 'taken' ? { ok: false, error: alreadyExists(unique.taken, unique.field) } : decision;
    }
  }
  Object.defineProperty(Handler, 'name', { value: `${type}Handler` });
  return Handler;
}

export const COMMAND_HANDLERS: Type<unknown>[] = COMMAND_TYPES.map((type) => {
  const uniqueValueOf = UNIQUE_VALUES[type];
  return uniqueValueOf ? reservingHandler(type, uniqueValueOf) : plainHandler(type);
});
