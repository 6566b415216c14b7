/** The pg pool the readiness probe pings: the primary, under this role's own database user. */
export const PRIMARY_POOL = Symbol('PRIMARY_POOL');
