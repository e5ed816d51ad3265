import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { UpdateDefinition } from '@temporalio/common';
import * as inputs from '../domain/step-inputs';
import type { DealState } from '../domain/deal-state';
import * as wf from '../workflows/deal';
import type { DealService } from './deal-service';
import type { ReferenceChecks } from './reference-checks';
import { parseBody, parsePositiveInt } from './parse';
import { currentUser, requirePermission, withActor } from './auth';
import { ProblemError } from './problem';
import { roleMatrix, type StepName, type StepPermission } from '../domain/roles';
import type { Database } from '../models/db';

interface StepRoute<S extends z.ZodType> {
  path: string;
  schema: S;
  update: UpdateDefinition<DealState, never[]>;
  /** `customer` marks the steps where staff record a decision the customer made; the actor is then `customer`. */
  actor: 'user' | 'customer';
  args: (body: z.infer<S>, req: Request) => unknown[];
  check?: (body: z.infer<S>, checks: ReferenceChecks) => Promise<void>;
}

function step<S extends z.ZodType>(route: StepRoute<S>): StepRoute<S> {
  return route;
}

const asUpdate = <A extends unknown[]>(update: UpdateDefinition<DealState, A>) =>
  update as unknown as UpdateDefinition<DealState, never[]>;

export const stepRoutes = [
  step({ path: 'qualify', schema: inputs.qualifyLeadSchema, update: asUpdate(wf.qualifyLead), actor: 'user', args: (b) => [b] }),
  step({ path: 'disqualify', schema: inputs.disqualifyLeadSchema, update: asUpdate(wf.disqualifyLead), actor: 'user', args: (b) => [b] }),
  step({
    path: 'convert-to-opportunity',
    schema: inputs.convertToOpportunitySchema,
    update: asUpdate(wf.convertToOpportunity),
    actor: 'user',
    args: (b) => [b],
  }),
  step({ path: 'follow-ups', schema: inputs.scheduleFollowUpSchema, update: asUpdate(wf.scheduleFollowUp), actor: 'user', args: (b) => [b] }),
  step({
    path: 'follow-ups/:seq/complete',
    schema: inputs.completeFollowUpSchema,
    update: asUpdate(wf.completeFollowUp),
    actor: 'user',
    args: (b, req) => [{ ...b, seq: parsePositiveInt(String(req.params.seq), 'follow-up number') }],
  }),
  step({
    path: 'follow-ups/:seq/cancel',
    schema: inputs.cancelFollowUpSchema,
    update: asUpdate(wf.cancelFollowUp),
    actor: 'user',
    args: (b, req) => [{ ...b, seq: parsePositiveInt(String(req.params.seq), 'follow-up number') }],
  }),
  step({ path: 'stage', schema: inputs.moveStageSchema, update: asUpdate(wf.moveStage), actor: 'user', args: (b) => [b] }),
  step({
    path: 'assign',
    schema: inputs.assignSchema,
    update: asUpdate(wf.assignOpportunity),
    actor: 'user',
    args: (b) => [b],
    check: (b, checks) => checks.requireUser(b.to, 'to'),
  }),
  step({ path: 'lost', schema: inputs.markLostSchema, update: asUpdate(wf.markLost), actor: 'user', args: (b) => [b] }),
  step({
    path: 'estimate',
    schema: inputs.createEstimateSchema,
    update: asUpdate(wf.createEstimate),
    actor: 'user',
    args: (b) => [b],
    check: (b, checks) => checks.requireProducts(b.lines),
  }),
  step({
    path: 'estimate/revise',
    schema: inputs.reviseEstimateSchema,
    update: asUpdate(wf.reviseEstimate),
    actor: 'user',
    args: (b) => [b],
    check: (b, checks) => checks.requireProducts(b.lines),
  }),
  step({ path: 'estimate/send', schema: inputs.sendEstimateSchema, update: asUpdate(wf.sendEstimate), actor: 'user', args: (b) => [b] }),
  step({
    path: 'estimate/request-changes',
    schema: inputs.requestChangesSchema,
    update: asUpdate(wf.requestChanges),
    actor: 'customer',
    args: (b) => [b],
  }),
  step({
    path: 'estimate/approve',
    schema: inputs.approveEstimateSchema,
    update: asUpdate(wf.approveEstimate),
    actor: 'customer',
    args: (b) => [b],
  }),
  step({ path: 'order', schema: inputs.convertToOrderSchema, update: asUpdate(wf.convertToOrder), actor: 'user', args: (b) => [b] }),
  step({ path: 'qa-inspections', schema: inputs.inspectionSchema, update: asUpdate(wf.recordInspection), actor: 'user', args: (b) => [b] }),
  step({ path: 'pick-release', schema: inputs.pickReleaseSchema, update: asUpdate(wf.releaseForPicking), actor: 'user', args: (b) => [b] }),
  step({ path: 'shipments', schema: inputs.shipmentSchema, update: asUpdate(wf.shipOrder), actor: 'user', args: (b) => [b] }),
  step({ path: 'invoices', schema: inputs.createInvoiceSchema, update: asUpdate(wf.createInvoice), actor: 'user', args: (b) => [b] }),
  step({
    path: 'invoices/:invoiceNumber/send',
    schema: inputs.sendInvoiceSchema,
    update: asUpdate(wf.sendInvoice),
    actor: 'user',
    args: (b, req) => [String(req.params.invoiceNumber), b],
  }),
  step({ path: 'payments', schema: inputs.paymentSchema, update: asUpdate(wf.recordPayment), actor: 'user', args: (b) => [b] }),
  step({ path: 'cancel', schema: inputs.cancelDealSchema, update: asUpdate(wf.cancelDeal), actor: 'user', args: (b) => [b] }),
];

/**
 * Creates one POST endpoint per deal step under /deals/:number/. Each checks the user's permission for
 * the step (403), the body (400) and its references (422) before the workflow gets it, and returns the
 * deal as stored after the step.
 */
export function createStepRouter(deals: DealService, checks: ReferenceChecks, db: Database): Router {
  const router = Router();

  /** Checks the step's permission, reading the deal's owner only for steps its owner may take. */
  async function authorize(res: Response, step: StepName, dealNumber: number) {
    const permission: StepPermission = roleMatrix[step];
    const user = currentUser(res);
    if (!permission.owner || permission.roles.some((role) => user.roles.includes(role))) {
      return requirePermission(res, step);
    }
    const deal = await db.models.Deal.findByPk(dealNumber, { attributes: ['owner'] });
    if (!deal) throw new ProblemError('notFound', `deal ${dealNumber} not found`);
    return requirePermission(res, step, deal.get('owner') as string);
  }

  for (const route of stepRoutes) {
    router.post(`/deals/:number/${route.path}`, async (req, res) => {
      const dealNumber = parsePositiveInt(req.params.number as string, 'deal number');
      const user = await authorize(res, route.path as StepName, dealNumber);
      const body = parseBody(route.schema, withActor(req.body, user, route.actor === 'customer')) as { actor: string };
      await route.check?.(body as never, checks);
      const state = await deals.runStep(dealNumber, route.update, route.args(body as never, req) as never[]);
      res.status(200).json(state);
    });
  }

  router.post('/deals/:number/payment-notices', async (req, res) => {
    const dealNumber = parsePositiveInt(req.params.number as string, 'deal number');
    const user = requirePermission(res, 'payment-notices');
    const body = parseBody(inputs.paymentSchema, withActor(req.body, user));
    await deals.signal(dealNumber, wf.paymentNotice, [body]);
    res.status(202).json({ accepted: true, reference: body.reference });
  });
  return router;
}
