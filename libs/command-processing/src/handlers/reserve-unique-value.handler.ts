import { Injectable } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Reservation, ReservedValueKind, UniqueReservationsRepository } from '../unique-reservations.repository';

/** Take `value` for `tenantId` across ALL tenants (a tenant slug, an API key token), or learn who holds it. */
export class ReserveUniqueValue extends Command<Reservation> {
  constructor(
    readonly kind: ReservedValueKind,
    readonly value: string,
    readonly tenantId: string,
    readonly commandId: string,
  ) {
    super();
  }
}

/** The one use case of the command side that does I/O besides Kafka: a reservation row in Postgres. */
@Injectable()
@CommandHandler(ReserveUniqueValue)
export class ReserveUniqueValueHandler implements ICommandHandler<ReserveUniqueValue, Reservation> {
  constructor(private readonly reservations: UniqueReservationsRepository) {}

  execute({ kind, value, tenantId, commandId }: ReserveUniqueValue): Promise<Reservation> {
    return this.reservations.reserve(kind, value, tenantId, commandId);
  }
}
