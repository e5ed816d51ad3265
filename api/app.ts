import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { Client } from '@temporalio/client';
import type { Database } from '../models/db';
import type { DealSettings } from '../domain/deal-state';
import { DealService } from './deal-service';
import { ReferenceChecks } from './reference-checks';
import { createDealRouter } from './deal-routes';
import { createStepRouter } from './step-routes';
import { createMasterDataRouter } from './master-data-routes';
import { createHealthRouter } from './health';
import { createInventoryRouter } from './inventory-routes';
import { ProblemError, sendProblem } from './problem';
import { authenticate } from './auth';
import { createDocumentRouter } from './document-routes';
import { createInvoiceRouter } from './invoice-routes';
import { requestId, requestIdOf } from './request-id';
import { authFailureLimiter, logRedactPaths, portalLimiter, securityHeaders, serializeRequest } from './security';
import { createPortalRouter } from './portal-routes';
import { idempotency } from './idempotency';
import { createOpenApiRouter } from './openapi-routes';

export interface AppDependencies {
  client: Client;
  db: Database;
  taskQueue: string;
  settings: DealSettings;
  logger: Logger;
  /** Secret that signs the customer portal's links. */
  portalSecret: string;
}

export function createApp({ client, db, taskQueue, settings, logger, portalSecret }: AppDependencies): express.Express {
  const app = express();
  const deals = new DealService(client, db, taskQueue, settings);
  const checks = new ReferenceChecks(db);

  app.disable('x-powered-by');
  app.use(requestId());
  app.use(
    pinoHttp({
      logger,
      genReqId: requestIdOf,
      serializers: { req: serializeRequest },
      redact: { paths: logRedactPaths, censor: '[redacted]' },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  app.use(securityHeaders());
  app.use(express.json({ limit: '256kb' }));
  // The portal takes form posts from the customer's browser and authenticates by its signed link, so it
  // comes before the JSON-only and API-key checks.
  app.use('/portal', portalLimiter());
  app.use(createPortalRouter(deals, db, { secret: portalSecret, timeZone: settings.timeZone }));
  app.use(requireJsonBody);

  app.use(createHealthRouter(client, db));
  app.use(createOpenApiRouter());
  // The rate limit on failed authentication must run before the key check; idempotency after it, since
  // stored responses belong to the user.
  app.use(authFailureLimiter());
  app.use(authenticate(db));
  app.use(idempotency(db));
  app.use(createMasterDataRouter(db));
  app.use(createDealRouter(deals, checks, db));
  app.use(createStepRouter(deals, checks, db));
  app.use(createInventoryRouter(client, db));
  app.use(createDocumentRouter(db, settings.timeZone));
  app.use(createInvoiceRouter(deals, db, settings));

  app.use((req, _res, next) => next(new ProblemError('notFound', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler);
  return app;
}

/** Rejects a POST whose body is not JSON, which express.json would otherwise leave unread. */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (req.method === 'POST' && hasBody && !req.is('application/json')) {
    next(new ProblemError('unsupportedMediaType', `request body must be application/json, not ${req.get('content-type') ?? 'unspecified'}`));
    return;
  }
  next();
};

const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  if (error instanceof ProblemError) {
    req.log.info({ problem: error.kind, detail: error.message }, 'request rejected');
    sendProblem(res, error.toProblem());
    return;
  }
  if (error?.type === 'entity.parse.failed') {
    sendProblem(res, new ProblemError('validation', `request body is not valid JSON: ${error.message}`).toProblem());
    return;
  }
  if (error?.type === 'entity.too.large') {
    sendProblem(res, { type: '/problems/too-large', title: 'Payload too large', status: 413, detail: 'request body exceeds 256 kB' });
    return;
  }
  req.log.error({ err: error }, 'request failed');
  sendProblem(res, new ProblemError('internal', 'internal error; the request id in the log has the details').toProblem());
};
