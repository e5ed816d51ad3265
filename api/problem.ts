import type { Response } from 'express';
import type { ZodError } from 'zod';

/**
 * RFC 9457 problem details. `type` is a stable URI per kind of error, so callers can branch on it;
 * `detail` is for people.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
  /** The request's X-Request-Id, to find its log lines (an RFC 9457 extension member). */
  requestId?: string;
}

export const problemTypes = {
  validation: { uri: '/problems/validation', title: 'Invalid request', status: 400 },
  unauthenticated: { uri: '/problems/unauthenticated', title: 'Authentication required', status: 401 },
  forbidden: { uri: '/problems/forbidden', title: 'Not allowed for this user', status: 403 },
  notFound: { uri: '/problems/not-found', title: 'Not found', status: 404 },
  unsupportedMediaType: { uri: '/problems/unsupported-media-type', title: 'Unsupported media type', status: 415 },
  stepRejected: { uri: '/problems/step-rejected', title: 'Step not allowed now', status: 409 },
  conflict: { uri: '/problems/conflict', title: 'Conflict', status: 409 },
  unprocessable: { uri: '/problems/unprocessable', title: 'Unprocessable request', status: 422 },
  unavailable: { uri: '/problems/unavailable', title: 'Service unavailable', status: 503 },
  internal: { uri: '/problems/internal', title: 'Internal error', status: 500 },
} as const;

export type ProblemKind = keyof typeof problemTypes;

export class ProblemError extends Error {
  constructor(
    readonly kind: ProblemKind,
    detail: string,
    readonly errors?: Problem['errors'],
  ) {
    super(detail);
  }

  toProblem(): Problem {
    const { uri, title, status } = problemTypes[this.kind];
    return { type: uri, title, status, detail: this.message, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

export function validationProblem(error: ZodError, where: string): ProblemError {
  const errors = error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.join('.') : where,
    message: issue.message,
  }));
  const first = errors[0];
  return new ProblemError('validation', `invalid ${where}: ${first.path} ${first.message}`, errors);
}

export function sendProblem(res: Response, problem: Problem): void {
  const requestId = res.getHeader('x-request-id');
  const body = typeof requestId === 'string' ? { ...problem, requestId } : problem;
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(body));
}
