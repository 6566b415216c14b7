import { Type, applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptions,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';

/** Property of a response model for the OpenAPI document. */
export function Field(options: ApiPropertyOptions & { nullable?: boolean }) {
  return ApiProperty(options);
}

export class FieldErrorModel {
  @Field({ type: 'string', example: 'limit' }) field!: string;
  @Field({ type: 'string', example: 'must be an integer between 1 and 500' }) message!: string;
}

/** RFC 9457 problem details. */
export class ProblemModel {
  @Field({ type: 'string', example: 'urn:vinsight:problem:validation-failed' }) type!: string;
  @Field({ type: 'string', example: 'Bad Request' }) title!: string;
  @Field({ type: 'integer', example: 400 }) status!: number;
  @Field({ type: 'string' }) detail!: string;
  @Field({ type: [FieldErrorModel], required: false }) errors?: FieldErrorModel[];
  @Field({ type: 'string', required: false, description: 'the X-Request-Id of the request' }) requestId?: string;
}

export const problemResponse = (status: number, description: string) =>
  ApiResponse({ status, description, content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemModel) } } } });

/** Sent while rate limiting is on (READ_API_RATE_LIMIT_PER_SECOND > 0), per credential. */
const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': { description: 'requests the credential may send at once (READ_API_RATE_LIMIT_BURST)', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'requests it may still send at once now', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'seconds until RateLimit-Remaining is back at RateLimit-Limit', schema: { type: 'integer' } },
};

/** What every /v1 operation shares: bearer auth, the consistency token, the error answers. */
export function ReadOperation(ok: Type<unknown>, options: { notFound?: boolean; etag?: boolean } = {}) {
  const decorators = [
    ApiBearerAuth(),
    ApiExtraModels(ProblemModel),
    ApiHeader({
      name: 'X-Consistency-Token',
      required: false,
      description:
        'position of a command result: answer once the read models include it (or 503 after CONSISTENCY_WAIT_MS); the credential is then checked against data that includes it too',
    }),
    ApiOkResponse({ type: ok, headers: RATE_LIMIT_HEADERS }),
    problemResponse(400, 'invalid parameters, with one entry per bad field'),
    problemResponse(401, 'missing, unknown, revoked or expired credential, or deleted tenant'),
    problemResponse(403, 'the tenant is deactivated'),
    ApiResponse({
      status: 429,
      description: 'rate limit of the credential exceeded (Retry-After)',
      headers: RATE_LIMIT_HEADERS,
      content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemModel) } } },
    }),
    problemResponse(
      503,
      'the consistency token was not reached in time (consistency-timeout), or the database cannot be reached at the moment (database-unavailable); Retry-After',
    ),
  ];
  if (options.notFound) decorators.push(problemResponse(404, 'no such resource for this tenant'));
  if (options.etag) decorators.push(ApiResponse({ status: 304, description: 'not modified (If-None-Match matched the ETag)' }));
  return applyDecorators(...decorators);
}
