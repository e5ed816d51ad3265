import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { DealState, Phase } from '../../domain/deal-state';
import * as wf from '../../workflows/deal';
import { dealWorkflowId } from '../../api/deal-service';
import type { Harness } from './harness';
import type { Database } from '../../models/db';

/** Test helpers that create deals and move them to a phase through the workflow's Updates. */

export const lines = {
  first: [
    { sku: 'GM-CNC-2200', quantity: 1 },
    { sku: 'GM-TOOL-KIT', quantity: 2 },
    { sku: 'SVC-INSTALL', quantity: 1 },
  ],
  revised: [
    { sku: 'GM-CNC-2200', quantity: 1, discountPercent: '3' },
    { sku: 'GM-TOOL-KIT', quantity: 2 },
    { sku: 'SVC-INSTALL', quantity: 1 },
    { sku: 'SVC-WARRANTY-24', quantity: 1 },
  ],
};

/** Returns the id of the scenario's customer, creating it in the given database when missing. */
export async function ensureCustomer({ db }: { db: Database }): Promise<number> {
  const [customer] = await db.models.Customer.findOrCreate({
    where: { company: 'Northfield Fabrication Ltd' },
    defaults: {
      company: 'Northfield Fabrication Ltd',
      contactName: 'Priya Raman',
      contactEmail: 'priya.raman@northfield-fab.example',
      billingAddress: { line1: '77 Carver Street', city: 'Columbus', postalCode: '43215', country: 'US' },
      shippingAddress: { line1: '1900 Industrial Parkway', city: 'Marysville', postalCode: '43040', country: 'US' },
      taxRatePercent: '7.25',
      paymentTermsDays: 30,
    },
  });
  return customer.get('id') as number;
}

export function handleFor(harness: Harness, dealNumber: number) {
  return harness.client.workflow.getHandle(dealWorkflowId(dealNumber));
}

/** The steps that take a new deal to each phase, in order. */
const path: { reaches: Phase; run: (harness: Harness, deal: DealState) => Promise<DealState> }[] = [
  {
    reaches: 'opportunity',
    run: async (h, d) => {
      await handleFor(h, d.dealNumber).executeUpdate(wf.qualifyLead, { args: [{ actor: 'sofia' }] });
      return handleFor(h, d.dealNumber).executeUpdate(wf.convertToOpportunity, { args: [{ actor: 'sofia', name: 'Second line lathe' }] });
    },
  },
  {
    reaches: 'estimate',
    run: (h, d) =>
      handleFor(h, d.dealNumber).executeUpdate(wf.createEstimate, { args: [{ actor: 'mark', validForDays: 30, lines: lines.first }] }),
  },
  {
    reaches: 'quality',
    run: async (h, d) => {
      const handle = handleFor(h, d.dealNumber);
      await handle.executeUpdate(wf.sendEstimate, { args: [{ actor: 'mark' }] });
      await handle.executeUpdate(wf.approveEstimate, { args: [{ actor: 'customer', acceptedBy: 'Priya Raman' }] });
      return handle.executeUpdate(wf.convertToOrder, { args: [{ actor: 'mark' }] });
    },
  },
  {
    reaches: 'pick_release',
    run: (h, d) =>
      handleFor(h, d.dealNumber).executeUpdate(wf.recordInspection, {
        args: [{ actor: 'quinn', result: 'passed', checklist: ['spindle runout'] }],
      }),
  },
  { reaches: 'shipping', run: (h, d) => handleFor(h, d.dealNumber).executeUpdate(wf.releaseForPicking, { args: [{ actor: 'dev' }] }) },
  {
    reaches: 'invoicing',
    run: (h, d) =>
      handleFor(h, d.dealNumber).executeUpdate(wf.shipOrder, {
        args: [{ actor: 'dev', carrier: 'Buckeye Heavy Haul', trackingNumber: 'BHH-1', lines: 'all' }],
      }),
  },
  {
    reaches: 'payment',
    run: async (h, d) => {
      const handle = handleFor(h, d.dealNumber);
      const invoiced = await handle.executeUpdate(wf.createInvoice, { args: [{ actor: 'fin', from: 'order' }] });
      return handle.executeUpdate(wf.sendInvoice, { args: [invoiced.invoices[0].number, { actor: 'fin' }] });
    },
  },
];

/** Creates a deal and takes it to the given phase. */
export async function dealInPhase(harness: Harness, phase: Phase): Promise<DealState> {
  const customerId = await ensureCustomer(harness);
  let deal = await harness.deals.createDeal({ actor: 'sofia', customerId, source: 'trade show', interest: 'CNC lathe' });
  for (const step of path) {
    if (deal.phase === phase) break;
    deal = await step.run(harness, deal);
  }
  if (deal.phase !== phase) throw new Error(`could not drive a deal to phase ${phase}; it stopped in ${deal.phase}`);
  return deal;
}

/** Runs an update that must be rejected and returns the rejection's message. */
export async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof WorkflowUpdateFailedError)) throw error;
    // A rule's rejection is the direct cause; an activity's failure sits one level deeper.
    let cause: unknown = error.cause;
    while (cause instanceof Error && !(cause instanceof ApplicationFailure)) cause = cause.cause;
    return cause instanceof ApplicationFailure ? cause.message : String(error.cause);
  }
  throw new Error('the update was expected to be rejected but succeeded');
}

/** Counts the stored timeline rows and the workflow's timeline entries of a deal. */
export async function timelineSizes(harness: Harness, dealNumber: number): Promise<{ stored: number; workflow: number }> {
  const stored = await harness.db.models.TimelineEntry.count({ where: { dealNumber } });
  const state = await handleFor(harness, dealNumber).query(wf.getDeal);
  return { stored, workflow: state.timeline.length };
}
