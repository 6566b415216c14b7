import { randomUUID } from 'node:crypto';
import { EventEnvelope, toEventEnvelope } from '@vinsight/contracts';
import { isSealedPersonalData, newAesKey, openPersonalData } from '@vinsight/personal-data';
import { BCRYPT_HASH, events } from '../../../domain/src/testing/domain-factories';
import { personalDataOwner, sealPersonalFields } from './seal-personal-fields';

const tenantId = randomUUID();
const envelopeOf = (event: ReturnType<typeof events.userRegistered> | ReturnType<typeof events.userRemoved>): EventEnvelope =>
  toEventEnvelope(
    { ...event, aggregateType: 'user', aggregateId: event.data.userId, version: 1 },
    { eventId: randomUUID(), occurredAt: new Date('2026-01-10T00:00:00Z'), tenantId, commandId: randomUUID(), correlationId: randomUUID() },
  );

describe('sealing the personal fields of the events written', () => {
  const iv = Buffer.alloc(12, 3);

  it('seals UserRegistered personal under the data key, keeping the email hash and the rest in the clear', () => {
    const registered = envelopeOf(events.userRegistered({ email: 'ada@example.com', role: 'admin' }));
    const key = newAesKey();
    const sealed = sealPersonalFields(registered, key, iv);
    const wire = JSON.stringify(sealed);
    expect(wire).not.toContain('ada@example.com');
    expect(wire).not.toContain(BCRYPT_HASH);
    const payload = sealed.payload as unknown as Record<string, unknown>;
    expect(payload).toMatchObject({
      userId: registered.aggregateId,
      role: 'admin',
      emailHash: (registered.payload as { emailHash: string }).emailHash,
    });
    expect(isSealedPersonalData(payload.personal)).toBe(true);
    expect(openPersonalData(personalDataOwner(registered)!, key, payload.personal as never)).toEqual({
      email: 'ada@example.com',
      passwordHash: BCRYPT_HASH,
    });
    expect({ ...sealed, payload: undefined }).toEqual({ ...registered, payload: undefined });
  });

  it('is deterministic for a given IV, and leaves its argument and other events as they are', () => {
    const registered = envelopeOf(events.userRegistered());
    const before = JSON.stringify(registered);
    const key = newAesKey();
    expect(sealPersonalFields(registered, key, iv)).toEqual(sealPersonalFields(registered, key, iv));
    expect(JSON.stringify(registered)).toBe(before);
    const removed = envelopeOf(events.userRemoved());
    expect(sealPersonalFields(removed, key, iv)).toBe(removed);
    expect(personalDataOwner(removed)).toBeNull();
  });

  it('refuses a UserRegistered without personal fields rather than write it with nothing to erase', () => {
    const registered = envelopeOf(events.userRegistered());
    const empty = { ...registered, payload: { ...registered.payload, personal: null } } as EventEnvelope;
    expect(() => sealPersonalFields(empty, newAesKey(), iv)).toThrow(/no personal fields/);
  });
});
