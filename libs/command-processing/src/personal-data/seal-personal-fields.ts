import { EventEnvelope, openPersonalOrNull } from '@vinsight/contracts';
import { sealPersonalData, UserRef } from '@vinsight/personal-data';

/** The user whose personal fields an envelope carries, if any (UserRegistered alone has them). */
export function personalDataOwner(envelope: EventEnvelope): UserRef | null {
  return envelope.type === 'UserRegistered' ? { tenantId: envelope.tenantId, userId: envelope.aggregateId } : null;
}

/**
 * The envelope as written to Kafka: UserRegistered's `personal` sealed under the user's data key
 * (asyncapi.yaml, SealedPersonalData); other events as they are. The IV comes in, so the step
 * is a pure function of its inputs.
 */
export function sealPersonalFields(envelope: EventEnvelope, dataKey: Buffer, iv: Buffer): EventEnvelope {
  const owner = personalDataOwner(envelope);
  if (owner === null || envelope.type !== 'UserRegistered') return envelope;
  const personal = openPersonalOrNull(envelope.payload.personal);
  // The decider always fills it; an event without it would be written with nothing to erase.
  if (personal === null) throw new Error(`UserRegistered of user ${owner.userId} has no personal fields to seal`);
  // The payload's type is the domain's (personal in the clear); on the wire it is sealed.
  const payload = { ...envelope.payload, personal: sealPersonalData(owner, dataKey, personal, iv) } as unknown as typeof envelope.payload;
  return { ...envelope, payload };
}
