import { Command } from '@nestjs/cqrs';
import type { CommandType, Decision, DomainCommand, TenantWriteState } from '@vinsight/domain';

/**
 * A command on its way through the CommandBus: the domain command and the tenant's write state
 * it is decided against. The handler answers with the decision; writing the events is the
 * partition handler's job (it owns the Kafka transaction).
 */
export abstract class DecideCommand extends Command<Decision> {
  constructor(
    readonly command: DomainCommand,
    readonly state: TenantWriteState,
  ) {
    super();
  }
}

/** One CommandBus message class per command type of asyncapi.yaml, CommandEnvelope, so each has its own handler. */
export const DECIDE_COMMAND_CLASSES = new Map<CommandType, new (command: DomainCommand, state: TenantWriteState) => DecideCommand>();

export function decideCommandClass(type: CommandType) {
  let commandClass = DECIDE_COMMAND_CLASSES.get(type);
  if (!commandClass) {
    commandClass = { [type]: class extends DecideCommand {} }[type];
    DECIDE_COMMAND_CLASSES.set(type, commandClass);
  }
  return commandClass;
}
