import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * Characters accepted in a caller's X-Request-Id: enough for UUIDs, ULIDs and trace ids, and nothing
 * that could break a log line or a header (no spaces, quotes or control characters).
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:@+=\/-]{1,100}$/;

const requestIds = new WeakMap<IncomingMessage, string>();

/**
 * Assigns each request an id: the caller's X-Request-Id when it is 1 to 100 safe characters, else a
 * new UUID. The id is set on the response's X-Request-Id header before any handler runs, so every
 * response carries it, errors included. Mount it first, before pino-http.
 */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    const callerId = req.get(REQUEST_ID_HEADER);
    const id = callerId !== undefined && SAFE_REQUEST_ID.test(callerId) ? callerId : randomUUID();
    requestIds.set(req, id);
    res.setHeader(REQUEST_ID_HEADER, id);
    next();
  };
}

/**
 * Returns the request's id, for pino-http's `genReqId`. A request that did not pass through
 * `requestId()` gets a new UUID, remembered for later calls.
 */
export function requestIdOf(req: IncomingMessage): string {
  let id = requestIds.get(req);
  if (id === undefined) {
    id = randomUUID();
    requestIds.set(req, id);
  }
  return id;
}
