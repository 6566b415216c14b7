/** Paths served by the read API; errors on them are answered as problem+json. */
export function isReadApiPath(url: string): boolean {
  return /^\/(v1|docs|openapi\.json)(?=$|[/?#])/.test(url);
}
