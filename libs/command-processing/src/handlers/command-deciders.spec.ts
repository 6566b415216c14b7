import type { CommandBus } from '@nestjs/cqrs';
import { decide, DomainCommand, evolveTenantWriteState, initialTenantWriteState, TenantWriteState } from '@vinsight/domain';
import { commands, TEST_DECISION_PORTS as ports } from '../../../domain/src/testing/domain-factories';
import type { Reservation } from '../unique-reservations.repository';
import { CommandDeciders } from './command-deciders';
import { ReserveUniqueValue } from './reserve-unique-value.handler';

/** A CommandBus that answers every reservation with `answer`, recording what it was asked. */
function busAnswering(answer: Reservation) {
  const asked: ReserveUniqueValue[] = [];
  const bus = {
    execute: async (command: unknown) => {
      if (!(command instanceof ReserveUniqueValue)) throw new Error(`unexpected command ${String(command)}`);
      asked.push(command);
      return answer;
    },
  } as Pick<CommandBus, 'execute'> as CommandBus;
  return { bus, asked };
}

/** The write state of a tenant after `command` was accepted. */
function stateAfter(command: DomainCommand): TenantWriteState {
  const decision = decide(command, initialTenantWriteState(), ports);
  if (!decision.ok) throw new Error(`expected ${command.type} to be accepted`);
  return decision.events.reduce(evolveTenantWriteState, initialTenantWriteState());
}

describe('CommandDeciders', () => {
  it('decides a command without a unique value with the pure decider alone, without the CommandBus', async () => {
    const { bus, asked } = busAnswering({ outcome: 'reserved' });
    const create = commands.createTenant();
    const rename = commands.renameTenant({}, { tenantId: create.metadata.tenantId });
    const state = stateAfter(create);

    const decision = await new CommandDeciders(bus, ports).decide(rename, state);

    expect(decision).toEqual(decide(rename, state, ports));
    expect(asked).toEqual([]);
  });

  it('reserves the slug of an accepted CreateTenant for its tenant and command', async () => {
    const { bus, asked } = busAnswering({ outcome: 'reserved' });
    const create = commands.createTenant({ slug: 'acme-reserved' });

    const decision = await new CommandDeciders(bus, ports).decide(create, initialTenantWriteState());

    expect(decision).toEqual(decide(create, initialTenantWriteState(), ports));
    expect(asked).toEqual([new ReserveUniqueValue('tenantSlug', 'acme-reserved', create.metadata.tenantId, create.metadata.commandId)]);
  });

  it('rejects with ALREADY_EXISTS when another tenant holds the API key token', async () => {
    const { bus, asked } = busAnswering({ outcome: 'taken', byTenantId: 'someone-else' });
    const create = commands.createTenant();
    const state = stateAfter(create);
    const issue = commands.issueApiKey({}, { tenantId: create.metadata.tenantId });

    const decision = await new CommandDeciders(bus, ports).decide(issue, state);

    expect(decision).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS', message: 'the token is in use by another tenant' } });
    expect(asked.map((a) => a.kind)).toEqual(['apiKeyToken']);
  });
});
