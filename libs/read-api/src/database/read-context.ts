import type { ReadTarget } from './replica-router';

/** Who is asking and where their reads go; set by the guard, read by every repository. */
export interface ReadContext {
  tenantId: string;
  /** API key id, or `jwt:<tenant>:<subject>`: the rate limit's key. */
  credentialId: string;
  target: ReadTarget;
}
