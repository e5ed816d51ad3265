import type { z } from 'zod';
import { ProblemError, validationProblem } from './problem';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw validationProblem(parsed.error, 'request body');
  return parsed.data;
}

export function parsePositiveInt(value: string | undefined, name: string): number {
  if (value === undefined || !/^[1-9]\d{0,9}$/.test(value)) {
    throw new ProblemError('validation', `invalid ${name} "${value}": expected a positive integer`, [
      { path: name, message: 'must be a positive integer' },
    ]);
  }
  return Number(value);
}
