// OpenAPI building blocks the controllers share: the problem+json error shape, a command's answer
// (with X-Position), pages. What holds for every route (bearer auth, Idempotency-Key on POSTs,
// X-Min-Position on reads, body limits) is added once by openapi-document.ts.
// Responses of one status declared twice are merged by @nestjs/swagger (their descriptions joined).
import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiSchema, ApiQuery, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { HeaderObject, SchemaObject } from '@nestjs/swagger';
import { PROBLEM_CODES, statusOfCode } from './problem';

@ApiSchema({ name: 'FieldError' })
export class FieldErrorDto {
  @ApiProperty({ example: 'email' }) field!: string;
  @ApiProperty({ example: 'must be a single email address' }) message!: string;
}

/** RFC 9457 problem details, the body of every error answer (`application/problem+json`). */
@ApiSchema({ name: 'Problem' })
export class ProblemDto {
  @ApiProperty({ example: 'urn:team-management:problem:not_found' }) type!: string;
  @ApiProperty({ example: 'Not Found' }) title!: string;
  @ApiProperty({ example: 404 }) status!: number;
  @ApiProperty({ example: 'not found' }) detail!: string;
  @ApiProperty({ enum: PROBLEM_CODES, description: 'Stable error code; clients branch on this, not on `detail`' }) code!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'With `validation_failed`: one entry per invalid field' })
  errors?: FieldErrorDto[];
}

const RETRY_AFTER: HeaderObject = { description: 'Seconds to wait before trying again', schema: { type: 'integer' } };

/** An error answer of `status` with the given codes (all codes of that status when none are given). */
export function ApiProblem(status: number, ...codes: string[]) {
  const listed = codes.length > 0 ? codes : PROBLEM_CODES.filter((code) => statusOfCode(code) === status);
  return applyDecorators(
    ApiExtraModels(ProblemDto, FieldErrorDto),
    ApiResponse({
      status,
      description: listed.map((code) => `\`${code}\``).join(', '),
      content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
      ...(status === 429 || status === 503 ? { headers: { 'Retry-After': RETRY_AFTER } } : {}),
    }),
  );
}

export const ApiProblemResponses = (...statuses: number[]) => applyDecorators(...statuses.map((status) => ApiProblem(status)));

const X_POSITION: HeaderObject = {
  description: 'Opaque position of the change; send it back as `X-Min-Position` to read your write',
  schema: { type: 'string' },
};

/** A command's success answer, with X-Position, and the 409 every command may answer. */
export function ApiCommand(status: number, description: string, body: { type?: Type<unknown> } = {}, extraHeaders: Record<string, HeaderObject> = {}) {
  return applyDecorators(
    ApiResponse({ status, description, headers: { 'X-Position': X_POSITION, ...extraHeaders }, ...body }),
    ApiProblem(409, 'concurrency_conflict'),
  );
}

/** `{ items: [model], nextCursor }`. */
export function pageOf(model: Type<unknown> | SchemaObject): SchemaObject {
  const item = typeof model === 'function' ? { $ref: getSchemaPath(model) } : model;
  return {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: {
      items: { type: 'array', items: item },
      nextCursor: { type: 'string', nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' },
    },
  };
}

/** The pagination parameters of every list, and its 400 for bad ones. */
export const ApiPageQuery = () =>
  applyDecorators(
    ApiProblem(400, 'validation_failed'),
    ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } }),
    ApiQuery({ name: 'cursor', required: false, description: 'The `nextCursor` of the previous page', schema: { type: 'string' } }),
  );
