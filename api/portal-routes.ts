import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import type { Database } from '../models/db';
import type { PostalAddress } from '../documents/types';
import type { DealState, EstimateRevision } from '../domain/deal-state';
import { isValidTimeZone, localDate } from '../domain/dates';
import { approveEstimateSchema, requestChangesSchema } from '../domain/step-inputs';
import { DocumentNotFoundError, documentFileName, loadBusinessDocument, type DocumentRef } from '../models/document-loader';
import { readCompanySettings } from '../models/company-settings';
import { renderDocumentPdf } from '../documents';
import * as wf from '../workflows/deal';
import type { DealService } from './deal-service';
import { ProblemError } from './problem';
import { verifyPortalToken, type PortalTokenClaims } from './portal-token';
import {
  PORTAL_CONTENT_SECURITY_POLICY,
  describeEstimateStatus,
  renderEstimatePage,
  renderMessagePage,
  type PortalCompany,
  type PortalFormFeedback,
  type PortalFormName,
  type PortalNotice,
} from './portal-pages';

/**
 * The customer portal: the page a customer reaches from the link in the estimate email, where they
 * review one estimate revision, download its PDF, approve it or request changes. The signed token in
 * the URL is the only credential, so the router needs no API key and must be mounted before the API's
 * authentication. Every decision is run as the workflow step with actor `customer` and the token's
 * revision, so the workflow rejects a link whose revision is no longer current.
 */

export interface PortalRouterOptions {
  /** HMAC key the links were signed with, at least 32 bytes long. */
  secret: string;
  /** IANA time zone of the company, for the dates on the page and in the PDF. */
  timeZone: string;
}

/** Token, deal and revision of a valid link, read for one request. */
interface PortalContext {
  token: string;
  claims: PortalTokenClaims;
  company: PortalCompany;
  state: DealState;
  revision: EstimateRevision;
}

type ContextResult = { ok: true; context: PortalContext } | { ok: false; status: number; notice: PortalNotice; company?: PortalCompany };

const INVALID_LINK: PortalNotice = {
  tone: 'error',
  title: 'This link is not valid',
  detail: 'Check that you opened the whole link from the email. If it still does not work, ask us to send the estimate again.',
};

const EXPIRED_LINK: PortalNotice = {
  tone: 'warning',
  title: 'This link has expired',
  detail: 'Links to an estimate work for a limited time. Ask us to send you a new link.',
};

const ESTIMATE_NOT_FOUND: PortalNotice = {
  tone: 'error',
  title: 'Estimate not found',
  detail: 'This link does not match an estimate on file. Ask us to send the estimate again.',
};

const UNAVAILABLE: PortalNotice = {
  tone: 'error',
  title: 'The estimate cannot be shown right now',
  detail: 'Try again in a few minutes. If the problem continues, contact us.',
};

/** Form fields of each decision, with the label and message the page shows when a value is invalid. */
const FORM_FIELDS: Record<PortalFormName, { name: string; label: string; missing: string }[]> = {
  approve: [
    { name: 'acceptedBy', label: 'Your name', missing: 'Enter your name.' },
    { name: 'purchaseOrderRef', label: 'Purchase order number', missing: 'Enter a purchase order number.' },
  ],
  'request-changes': [{ name: 'comment', label: 'Changes you need', missing: 'Describe the changes you need.' }],
};

const parseForm = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

function sendHtml(res: Response, status: number, markup: string): void {
  res
    .status(status)
    .set({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': PORTAL_CONTENT_SECURITY_POLICY,
      // The page and its URL carry the customer's credential: keep both out of caches and Referer headers.
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-robots-tag': 'noindex, nofollow',
    })
    .send(markup);
}

function sendMessage(res: Response, status: number, notice: PortalNotice, company?: PortalCompany): void {
  sendHtml(res, status, renderMessagePage(notice, company));
}

function formatAddress(address: PostalAddress | undefined): string | undefined {
  if (!address) return undefined;
  const cityLine = [address.city, [address.region, address.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  return [address.line1, address.line2, cityLine, address.country].filter(Boolean).join(', ');
}

async function loadCompany(db: Database): Promise<PortalCompany> {
  const row = await readCompanySettings(db);
  if (!row) throw new Error('company settings not found: seed the master data before serving the portal');
  return {
    name: row.get('name') as string,
    email: row.get('emailFrom') as string,
    address: formatAddress(row.get('address') as PostalAddress | undefined),
  };
}

/** Returns a form value as a string. A missing or repeated field becomes empty, which validation rejects for a required field. */
function formValue(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

function fieldErrorsOf(error: z.ZodError, form: PortalFormName): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const name = String(issue.path[0] ?? '');
    const field = FORM_FIELDS[form].find((candidate) => candidate.name === name);
    if (!field || errors[name]) continue;
    if (issue.code === 'too_small') errors[name] = field.missing;
    else if (issue.code === 'too_big') errors[name] = `${field.label} must be at most ${String(issue.maximum)} characters.`;
    else errors[name] = `${field.label}: ${issue.message}.`;
  }
  return errors;
}

/** Builds the customer portal's routes under `/portal/:token`. Throws RangeError on a short secret or an unknown time zone. */
export function createPortalRouter(deals: DealService, db: Database, options: PortalRouterOptions): Router {
  const { secret, timeZone } = options;
  // Verifying any string checks the secret's length first, so a short secret fails at startup.
  verifyPortalToken('', secret, 0);
  if (!isValidTimeZone(timeZone)) throw new RangeError(`invalid portal time zone "${timeZone}": expected an IANA name such as America/New_York`);

  const router = Router();

  /** Verifies the link's token and reads the deal, estimate and revision it names. */
  async function loadContext(req: Request): Promise<ContextResult> {
    const token = String(req.params.token);
    const company = await loadCompany(db);
    const verified = verifyPortalToken(token, secret, Date.now());
    if (!verified.ok) {
      req.log?.info({ reason: verified.reason }, 'portal link rejected');
      return verified.reason === 'expired'
        ? { ok: false, status: 410, notice: EXPIRED_LINK, company }
        : { ok: false, status: 400, notice: INVALID_LINK, company };
    }

    const { claims } = verified;
    let state: DealState;
    try {
      state = await deals.getDeal(claims.dealNumber);
    } catch (error) {
      if (!(error instanceof ProblemError && error.kind === 'notFound')) throw error;
      req.log?.info({ dealNumber: claims.dealNumber }, 'portal link names a deal that does not exist');
      return { ok: false, status: 404, notice: ESTIMATE_NOT_FOUND, company };
    }

    // A deal has one estimate, and a token signed for another estimate number must not reach it.
    const revision = state.estimate?.number === claims.estimateNumber
      ? state.estimate.revisions.find((candidate) => candidate.revision === claims.revision)
      : undefined;
    if (!revision) {
      req.log?.info({ ...claims }, 'portal link names an estimate revision the deal does not have');
      return { ok: false, status: 404, notice: ESTIMATE_NOT_FOUND, company };
    }
    return { ok: true, context: { token, claims, company, state, revision } };
  }

  function portalUrl(req: Request, token: string, action = ''): string {
    return `${req.baseUrl}/portal/${encodeURIComponent(token)}${action}`;
  }

  function sendEstimatePage(
    req: Request,
    res: Response,
    status: number,
    context: PortalContext,
    extras: { alert?: PortalNotice; feedback?: PortalFormFeedback } = {},
  ): void {
    const { token, claims, company, state, revision } = context;
    const { notice, actionable } = describeEstimateStatus(state, claims.revision, Date.now(), timeZone);
    const markup = renderEstimatePage({
      company,
      customer: { company: state.customer?.company ?? '', contactName: state.customer?.contactName ?? '' },
      estimateNumber: claims.estimateNumber,
      revision,
      currency: state.settings.currency,
      taxRatePercent: state.customer?.taxRatePercent,
      sentOn: revision.sentAt ? localDate(Date.parse(revision.sentAt), timeZone) : undefined,
      pdfUrl: portalUrl(req, token, '/pdf'),
      alert: extras.alert,
      notice,
      actions: actionable
        ? {
            approveUrl: portalUrl(req, token, '/approve'),
            requestChangesUrl: portalUrl(req, token, '/request-changes'),
            feedback: extras.feedback,
          }
        : undefined,
    });
    sendHtml(res, status, markup);
  }

  /** Renders an HTML page for a failure the handler did not expect, because the app's error handler sends JSON problems. */
  function portalPage(handler: (req: Request, res: Response) => Promise<void>): RequestHandler {
    return async (req, res) => {
      try {
        await handler(req, res);
      } catch (error) {
        req.log?.error({ err: error }, 'portal request failed');
        if (!res.headersSent) sendMessage(res, 500, UNAVAILABLE);
      }
    };
  }

  /** Parses a form body, and sends an HTML error page when the body is too large or unreadable. */
  const readForm: RequestHandler = (req, res, next) => {
    parseForm(req, res, (error?: unknown) => {
      if (!error) {
        next();
        return;
      }
      const tooLarge = (error as { type?: string }).type === 'entity.too.large';
      req.log?.info({ err: error }, 'portal form rejected');
      sendMessage(res, tooLarge ? 413 : 400, {
        tone: 'error',
        title: 'The form could not be read',
        detail: tooLarge ? 'The text you entered is too long. Shorten it and try again.' : 'Go back and submit the form again.',
      });
    });
  };

  /**
   * Handles a posted decision: validates the form, runs the step for the token's revision, and
   * redirects to the estimate page, which then shows the outcome. A rejected step or an invalid form
   * shows the page again with the reason.
   */
  function decisionHandler<T>(
    form: PortalFormName,
    parse: (body: unknown, claims: PortalTokenClaims) => z.ZodSafeParseResult<T>,
    run: (dealNumber: number, input: T) => Promise<DealState>,
    failedTitle: string,
  ) {
    return portalPage(async (req, res) => {
      const loaded = await loadContext(req);
      if (!loaded.ok) {
        sendMessage(res, loaded.status, loaded.notice, loaded.company);
        return;
      }
      const { context } = loaded;
      const parsed = parse(req.body, context.claims);
      if (!parsed.success) {
        const values = Object.fromEntries(FORM_FIELDS[form].map(({ name }) => [name, formValue(req.body, name)]));
        const fieldErrors = fieldErrorsOf(parsed.error, form);
        req.log?.info({ dealNumber: context.claims.dealNumber, fields: Object.keys(fieldErrors) }, `portal ${form} form invalid`);
        sendEstimatePage(req, res, 400, context, {
          alert: { tone: 'error', title: failedTitle, detail: 'Correct the fields marked below and submit again.' },
          feedback: { form, values, fieldErrors },
        });
        return;
      }

      try {
        await run(context.claims.dealNumber, parsed.data);
      } catch (error) {
        if (!(error instanceof ProblemError && error.kind === 'stepRejected')) throw error;
        req.log?.info({ dealNumber: context.claims.dealNumber, revision: context.claims.revision, reason: error.message }, `portal ${form} rejected`);
        // Read the deal again, so the page shows the status that made the workflow reject the step.
        const reloaded = await loadContext(req);
        if (!reloaded.ok) {
          sendMessage(res, reloaded.status, reloaded.notice, reloaded.company);
          return;
        }
        sendEstimatePage(req, res, 409, reloaded.context, { alert: { tone: 'error', title: failedTitle, detail: `Reason: ${error.message.replace(/\.$/, '')}.` } });
        return;
      }
      req.log?.info({ dealNumber: context.claims.dealNumber, revision: context.claims.revision }, `portal ${form} recorded`);
      res.redirect(303, portalUrl(req, context.token));
    });
  }

  router.get(
    '/portal/:token',
    portalPage(async (req, res) => {
      const loaded = await loadContext(req);
      if (!loaded.ok) {
        sendMessage(res, loaded.status, loaded.notice, loaded.company);
        return;
      }
      sendEstimatePage(req, res, 200, loaded.context);
    }),
  );

  router.get(
    '/portal/:token/pdf',
    portalPage(async (req, res) => {
      const loaded = await loadContext(req);
      if (!loaded.ok) {
        sendMessage(res, loaded.status, loaded.notice, loaded.company);
        return;
      }
      const { claims, company } = loaded.context;
      const ref: DocumentRef = { kind: 'estimate', number: claims.estimateNumber, revision: claims.revision };
      let pdf: Buffer;
      try {
        pdf = await renderDocumentPdf(await loadBusinessDocument(db, ref, timeZone));
      } catch (error) {
        if (!(error instanceof DocumentNotFoundError)) throw error;
        req.log?.warn({ ...claims, err: error }, 'portal PDF not found although the deal has the revision');
        sendMessage(res, 404, ESTIMATE_NOT_FOUND, company);
        return;
      }
      res
        .status(200)
        .set({
          'content-type': 'application/pdf',
          'content-disposition': `inline; filename="${documentFileName(ref)}"`,
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
        })
        .send(pdf);
    }),
  );

  router.post(
    '/portal/:token/approve',
    readForm,
    decisionHandler(
      'approve',
      (body, claims) =>
        approveEstimateSchema.safeParse({
          actor: 'customer',
          acceptedBy: formValue(body, 'acceptedBy'),
          // An empty optional field means no purchase order, not an empty reference.
          purchaseOrderRef: formValue(body, 'purchaseOrderRef').trim() || undefined,
          revision: claims.revision,
        }),
      (dealNumber, input) => deals.runStep(dealNumber, wf.approveEstimate, [input]),
      'Your approval was not recorded',
    ),
  );

  router.post(
    '/portal/:token/request-changes',
    readForm,
    decisionHandler(
      'request-changes',
      (body, claims) => requestChangesSchema.safeParse({ actor: 'customer', comment: formValue(body, 'comment'), revision: claims.revision }),
      (dealNumber, input) => deals.runStep(dealNumber, wf.requestChanges, [input]),
      'Your change request was not recorded',
    ),
  );

  return router;
}
