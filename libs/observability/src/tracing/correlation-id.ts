const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A correlation id from outside is used only when it is short and plain (it ends up in logs). */
export function saneCorrelationId(value: string | undefined | null): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return CORRELATION_ID.test(trimmed) ? trimmed : undefined;
}
