/**
 * The error body of every HTTP answer (openapi.yaml): RFC 9457 problem details. Here, beside the
 * other wire formats, because more than the read API answers with it (the HTTP server of every
 * role rejects malformed URLs before any route runs) and clients may type against it.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One invalid input field (`errors` of a 400). */
export interface ProblemFieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details, as openapi.yaml names them (plus the request id, for support). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: ProblemFieldError[];
  requestId?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Stable problem type per kind, so clients can branch on it. */
export function problemType(slug: string): string {
  return `urn:vinsight:problem:${slug}`;
}

export function problem(status: number, slug: string, detail: string, errors?: ProblemFieldError[]): ProblemDetails {
  const body: ProblemDetails = { type: problemType(slug), title: TITLES[status] ?? 'Error', status, detail };
  if (errors && errors.length > 0) body.errors = errors;
  return body;
}
