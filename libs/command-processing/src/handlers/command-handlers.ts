import { Injectable, Type } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { COMMAND_TYPES, CommandType, decide, Decision, alreadyExists } from '@vinsight/domain';
import { DecideCommand, decideCommandClass } from './decide-command';
import { SlugReservationsRepository } from '../slug-reservations.repository';

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

/**
 * CreateTenant also needs the slug to be free across ALL tenants, which no partition can know:
 * after the decider accepts, the slug is reserved in Postgres (ARCHITECTURE.md decision 2).
 */
@Injectable()
@CommandHandler(decideCommandClass('CreateTenant'))
export class CreateTenantHandler implements ICommandHandler<DecideCommand, Decision> {
  constructor(private readonly reservations: SlugReservationsRepository) {}

  async execute({ command, state }: DecideCommand): Promise<Decision> {
    const decision = decide(command, state);
    if (!decision.ok || command.type !== 'CreateTenant') return decision;
    const reservation = await this.reservations.reserve(command.data.slug, command.metadata.tenantId, command.metadata.commandId);
    if (reservation.outcome === 'taken') {
      return { ok: false, error: alreadyExists(`slug "${command.data.slug}" is taken by another tenant`, 'payload.slug') };
    }
    return decision;
  }
}

export const COMMAND_HANDLERS: Type<unknown>[] = [
  CreateTenantHandler,
  ...COMMAND_TYPES.filter((type) => type !== 'CreateTenant').map(plainHandler),
];
