// class-validator DTOs: unknown fields and wrong types answer 400 validation_failed with one
// { field, message } per problem.
import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ApiError, type FieldError } from './problem';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** An absent body is validated as `{}`: a route without a body accepts it, one with required fields
 * names them. */
class BodyValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata) {
    return super.transform(value === undefined && metadata.type === 'body' ? {} : value, metadata);
  }
}

export const validationPipe = () =>
  new BodyValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // false: a body DTO without fields (EmptyBodyDto) has no metadata; whitelist still refuses every field.
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ApiError('validation_failed', 'the request is not valid', flatten(errors)),
  });
