import { FieldError } from '../errors/read-api.errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details, as CONTRACT §5 names them (plus the request id, for support). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
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
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Stable problem type per kind, so clients can branch on it. */
export function problemType(slug: string): string {
  return `urn:vinsight:problem:${slug}`;
}

export function problem(status: number, slug: string, detail: string, errors?: FieldError[]): ProblemDetails {
  const body: ProblemDetails = { type: problemType(slug), title: TITLES[status] ?? 'Error', status, detail };
  if (errors && errors.length > 0) body.errors = errors;
  return body;
}
