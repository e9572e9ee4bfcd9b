// class-validator DTOs: unknown fields and wrong types answer 400 validation_failed with one
// { field, message } per problem.
import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiError, type FieldError } from './problem';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

export const validationPipe = () =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ApiError('validation_failed', 'the request is not valid', flatten(errors)),
  });
