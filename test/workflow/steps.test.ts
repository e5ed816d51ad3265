import { startHarness, type Harness } from '../support/harness';
import { dealInPhase, ensureCustomer, handleFor, lines, rejection, timelineSizes } from '../support/deal-driver';
import * as wf from '../../workflows/deal';
import type { DealState } from '../../domain/deal-state';
import {
  customerNameKey,
  dealOwnerKey,
  dealPhaseKey,
  invoiceNumbersKey,
  orderNumberKey,
} from '../../workflows/search-attributes';

/**
 * For each phase, a step that is allowed there succeeds and steps that are not are rejected with the
 * reason, leaving the workflow state and the stored timeline as they were.
 */

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  // Many deals in this file ship a lathe; the seeded three would run out.
  await harness.db.sequelize.query(`UPDATE products SET on_hand = 1000 WHERE kind = 'goods'`);
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

/** Expects the update to be rejected with a message containing `reason`, and nothing to change. */
async function expectRejected(deal: DealState, run: () => Promise<unknown>, reason: string | RegExp): Promise<void> {
  const before = await timelineSizes(harness, deal.dealNumber);
  const message = await rejection(run());
  expect(message).toMatch(reason);
  expect(await timelineSizes(harness, deal.dealNumber)).toEqual(before);
}

describe('lead phase', () => {
  test('qualify then convert is allowed', async () => {
    const deal = await dealInPhase(harness, 'lead');
    const handle = handleFor(harness, deal.dealNumber);
    const qualified = await handle.executeUpdate(wf.qualifyLead, { args: [{ actor: 'sofia', notes: 'Budget approved' }] });
    expect(qualified.qualified).toBe(true);
    const converted = await handle.executeUpdate(wf.convertToOpportunity, { args: [{ actor: 'sofia', name: 'Lathe' }] });
    expect(converted.phase).toBe('opportunity');
    expect(converted.stage).toBe('qualification');
  });

  test('convert before qualifying is rejected', async () => {
    const deal = await dealInPhase(harness, 'lead');
    await expectRejected(
      deal,
      () => handleFor(harness, deal.dealNumber).executeUpdate(wf.convertToOpportunity, { args: [{ actor: 'sofia', name: 'X' }] }),
      'the lead must be qualified before it is converted to an opportunity',
    );
  });

  test('estimate in lead phase is rejected', async () => {
    const deal = await dealInPhase(harness, 'lead');
    await expectRejected(
      deal,
      () => handleFor(harness, deal.dealNumber).executeUpdate(wf.createEstimate, { args: [{ actor: 'mark', validForDays: 30, lines: lines.first }] }),
      'creating an estimate is not allowed in phase lead; it needs phase opportunity',
    );
  });

  test('disqualify ends the deal', async () => {
    const deal = await dealInPhase(harness, 'lead');
    const handle = handleFor(harness, deal.dealNumber);
    const ended = await handle.executeUpdate(wf.disqualifyLead, { args: [{ actor: 'sofia', reason: 'No budget' }] });
    expect(ended.phase).toBe('disqualified');
    expect(ended.outcome).toMatchObject({ phase: 'disqualified', reason: 'No budget' });
    const result = await handle.result();
    expect(result.phase).toBe('disqualified');
    const row = await harness.db.models.Deal.findByPk(deal.dealNumber);
    expect(row?.get('phase')).toBe('disqualified');
    expect(row?.get('outcomeReason')).toBe('No budget');
  });
});

describe('opportunity phase', () => {
  test('stage move is allowed', async () => {
    const deal = await dealInPhase(harness, 'opportunity');
    const moved = await handleFor(harness, deal.dealNumber).executeUpdate(wf.moveStage, { args: [{ actor: 'sofia', to: 'proposal' }] });
    expect(moved.stage).toBe('proposal');
    const row = await harness.db.models.Deal.findByPk(deal.dealNumber);
    expect(row?.get('stage')).toBe('proposal');
  });

  test('move to current stage is rejected', async () => {
    const deal = await dealInPhase(harness, 'opportunity');
    await expectRejected(
      deal,
      () => handleFor(harness, deal.dealNumber).executeUpdate(wf.moveStage, { args: [{ actor: 'sofia', to: 'qualification' }] }),
      'the opportunity is already in stage qualification',
    );
  });

  test('assignment changes the owner', async () => {
    const deal = await dealInPhase(harness, 'opportunity');
    const assigned = await handleFor(harness, deal.dealNumber).executeUpdate(wf.assignOpportunity, { args: [{ actor: 'sofia', to: 'mark' }] });
    expect(assigned.owner).toBe('mark');
    expect(assigned.timeline.at(-1)).toMatchObject({ actor: 'sofia', event: 'opportunity.assigned' });
  });

  test('completing unknown follow-up is rejected', async () => {
    const deal = await dealInPhase(harness, 'opportunity');
    await expectRejected(
      deal,
      () => handleFor(harness, deal.dealNumber).executeUpdate(wf.completeFollowUp, { args: [{ actor: 'sofia', seq: 7, outcome: 'done' }] }),
      `follow-up 7 not found on deal ${deal.dealNumber}`,
    );
  });

  test('disqualify after conversion is rejected', async () => {
    const deal = await dealInPhase(harness, 'opportunity');
    await expectRejected(
      deal,
      () => handleFor(harness, deal.dealNumber).executeUpdate(wf.disqualifyLead, { args: [{ actor: 'sofia', reason: 'x' }] }),
      'disqualifying the lead is not allowed in phase opportunity',
    );
  });
});

describe('estimate phase', () => {
  test('approving a draft is rejected', async () => {
    const deal = await dealInPhase(harness, 'estimate');
    await expectRejected(
      deal,
      () => handleFor(harness, deal.dealNumber).executeUpdate(wf.approveEstimate, { args: [{ actor: 'customer', acceptedBy: 'Priya' }] }),
      'revision 1 has not been sent to the customer yet',
    );
  });

  test('approving an older revision is rejected', async () => {
    const deal = await dealInPhase(harness, 'estimate');
    const handle = handleFor(harness, deal.dealNumber);
    await handle.executeUpdate(wf.sendEstimate, { args: [{ actor: 'mark' }] });
    await handle.executeUpdate(wf.requestChanges, { args: [{ actor: 'customer', comment: 'Add the warranty' }] });
    await handle.executeUpdate(wf.reviseEstimate, { args: [{ actor: 'mark', lines: lines.revised }] });
    const sent = await handle.executeUpdate(wf.sendEstimate, { args: [{ actor: 'mark' }] });
    expect(sent.estimate!.revisions.map((revision) => revision.status)).toEqual(['superseded', 'sent']);
    await expectRejected(
      sent,
      () => handle.executeUpdate(wf.approveEstimate, { args: [{ actor: 'customer', acceptedBy: 'Priya', revision: 1 }] }),
      'approving the estimate is not allowed on revision 1: the current revision is 2',
    );
    const approved = await handle.executeUpdate(wf.approveEstimate, { args: [{ actor: 'customer', acceptedBy: 'Priya', revision: 2 }] });
    expect(approved.estimate!.revisions[1].status).toBe('approved');
  });

  test('sending twice without revising is rejected', async () => {
    const deal = await dealInPhase(harness, 'estimate');
    const handle = handleFor(harness, deal.dealNumber);
    const sent = await handle.executeUpdate(wf.sendEstimate, { args: [{ actor: 'mark' }] });
    expect(sent.estimate!.revisions[0].validUntil).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await expectRejected(sent, () => handle.executeUpdate(wf.sendEstimate, { args: [{ actor: 'mark' }] }), 'revision 1 is sent; revise the estimate');
  });

  test('converting before approval is rejected', async () => {
    const deal = await dealInPhase(harness, 'estimate');
    await expectRejected(
      deal,
      () => handleFor(harness, deal.dealNumber).executeUpdate(wf.convertToOrder, { args: [{ actor: 'mark' }] }),
      'revision 1 is draft; only an approved estimate can become an order',
    );
  });

  test('revising a draft keeps its number', async () => {
    const deal = await dealInPhase(harness, 'estimate');
    const revised = await handleFor(harness, deal.dealNumber).executeUpdate(wf.reviseEstimate, { args: [{ actor: 'mark', lines: lines.revised }] });
    expect(revised.estimate!.revisions).toHaveLength(1);
    expect(revised.estimate!.revisions[0].total).toBe('59948.46');
  });

  test('marking lost ends the deal', async () => {
    const deal = await dealInPhase(harness, 'estimate');
    const handle = handleFor(harness, deal.dealNumber);
    const lost = await handle.executeUpdate(wf.markLost, { args: [{ actor: 'sofia', reason: 'Chose a competitor' }] });
    expect(lost.phase).toBe('lost');
    expect((await handle.result()).outcome?.reason).toBe('Chose a competitor');
  });
});

describe('quality phase', () => {
  test('failed inspection keeps the order in QA', async () => {
    const deal = await dealInPhase(harness, 'quality');
    const handle = handleFor(harness, deal.dealNumber);
    const failed = await handle.executeUpdate(wf.recordInspection, { args: [{ actor: 'quinn', result: 'failed', checklist: ['coolant leak'] }] });
    expect(failed.phase).toBe('quality');
    const passed = await handle.executeUpdate(wf.recordInspection, { args: [{ actor: 'quinn', result: 'passed', checklist: ['coolant ok'] }] });
    expect(passed.phase).toBe('pick_release');
    expect(passed.order!.inspections.map((inspection) => inspection.result)).toEqual(['failed', 'passed']);
    expect(await harness.db.models.QaInspection.count({ where: { orderNumber: deal.order!.number } })).toBe(2);
  });

  test('pick release before QA is rejected', async () => {
    const deal = await dealInPhase(harness, 'quality');
    await expectRejected(
      deal,
      () => handleFor(harness, deal.dealNumber).executeUpdate(wf.releaseForPicking, { args: [{ actor: 'dev' }] }),
      'pick release is not allowed in phase quality; it needs phase pick_release',
    );
  });
});

describe('pick release and shipping phases', () => {
  test('shipping before pick release is rejected', async () => {
    const deal = await dealInPhase(harness, 'pick_release');
    await expectRejected(
      deal,
      () =>
        handleFor(harness, deal.dealNumber).executeUpdate(wf.shipOrder, {
          args: [{ actor: 'dev', carrier: 'X', trackingNumber: 'T', lines: 'all' }],
        }),
      'shipping is not allowed in phase pick_release',
    );
  });

  test('pick release creates one receipt', async () => {
    const deal = await dealInPhase(harness, 'shipping');
    expect(deal.order!.salesReceiptNumber).toMatch(/^SR-/);
    expect(await harness.db.models.SalesReceipt.count({ where: { orderNumber: deal.order!.number } })).toBe(1);
  });

  test('ordered policy invoices before shipment', async () => {
    const deal = await dealInPhase(harness, 'shipping');
    const invoiced = await handleFor(harness, deal.dealNumber).executeUpdate(wf.createInvoice, { args: [{ actor: 'fin', from: 'order' }] });
    expect(invoiced.invoices[0].total).toBe(deal.order!.total);
    expect(invoiced.phase).toBe('shipping');
  });
});

describe('invoicing and payment phases', () => {
  test('payment before the invoice is sent is rejected', async () => {
    const deal = await dealInPhase(harness, 'invoicing');
    const handle = handleFor(harness, deal.dealNumber);
    const invoiced = await handle.executeUpdate(wf.createInvoice, { args: [{ actor: 'fin', from: 'order' }] });
    expect(invoiced.invoices[0]).toMatchObject({ status: 'draft', total: '58398.70' });
    await expectRejected(
      invoiced,
      () => handle.executeUpdate(wf.recordPayment, { args: [{ actor: 'fin', amount: '100.00', method: 'wire', reference: 'R-1' }] }),
      `recording a payment is not allowed before an invoice of deal ${deal.dealNumber} is sent`,
    );
  });

  test('second invoice for the order is rejected', async () => {
    const deal = await dealInPhase(harness, 'invoicing');
    const handle = handleFor(harness, deal.dealNumber);
    const invoiced = await handle.executeUpdate(wf.createInvoice, { args: [{ actor: 'fin', from: 'order' }] });
    await expectRejected(
      invoiced,
      () => handle.executeUpdate(wf.createInvoice, { args: [{ actor: 'fin', from: 'order' }] }),
      `every line of order ${deal.order!.number} is already invoiced`,
    );
  });

  test('overpayment names the open balance', async () => {
    const deal = await dealInPhase(harness, 'payment');
    const invoice = deal.invoices[0];
    await expectRejected(
      deal,
      () =>
        handleFor(harness, deal.dealNumber).executeUpdate(wf.recordPayment, {
          args: [{ actor: 'fin', amount: '60000.00', method: 'wire', reference: 'R-2' }],
        }),
      `payment of 60000.00 exceeds the open balance of ${invoice.balance} on invoice ${invoice.number}`,
    );
  });

  test('repeated payment reference is rejected', async () => {
    const deal = await dealInPhase(harness, 'payment');
    const handle = handleFor(harness, deal.dealNumber);
    const paid = await handle.executeUpdate(wf.recordPayment, { args: [{ actor: 'fin', amount: '1000.00', method: 'wire', reference: 'R-3' }] });
    expect(paid.invoices[0].balance).toBe('57398.70');
    await expectRejected(
      paid,
      () => handle.executeUpdate(wf.recordPayment, { args: [{ actor: 'fin', amount: '1000.00', method: 'wire', reference: 'R-3' }] }),
      'a payment with reference R-3 is already recorded',
    );
  });

  test('payment notice signal pays and dedupes', async () => {
    const deal = await dealInPhase(harness, 'payment');
    const handle = handleFor(harness, deal.dealNumber);
    const notice = { actor: 'bank', amount: '500.00', method: 'wire' as const, reference: 'BANK-77' };
    await handle.signal(wf.paymentNotice, notice);
    await handle.signal(wf.paymentNotice, notice);
    const state = await handle.executeUpdate(wf.recordPayment, { args: [{ actor: 'fin', amount: '1.00', method: 'ach', reference: 'R-4' }] });
    expect(state.payments.map((payment) => payment.reference)).toEqual(['BANK-77', 'R-4']);
    expect(await harness.db.models.Payment.count({ where: { invoiceNumber: deal.invoices[0].number } })).toBe(2);
  });

  test('full payment ends the deal as paid', async () => {
    const deal = await dealInPhase(harness, 'payment');
    const handle = handleFor(harness, deal.dealNumber);
    const paid = await handle.executeUpdate(wf.recordPayment, {
      args: [{ actor: 'fin', amount: deal.invoices[0].balance, method: 'ach', reference: 'R-5' }],
    });
    expect(paid.phase).toBe('paid');
    expect((await handle.result()).phase).toBe('paid');
    const error = await handle
      .executeUpdate(wf.recordPayment, { args: [{ actor: 'fin', amount: '1.00', method: 'ach', reference: 'R-6' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
  });
});

test('lead for a missing customer is rejected', async () => {
  await ensureCustomer(harness);
  await expect(
    harness.deals.createDeal({ actor: 'sofia', customerId: 999_999, source: 'web', interest: 'press' }),
  ).rejects.toThrow('customer 999999 not found');
});

test('search attributes follow the deal', async () => {
  const deal = await dealInPhase(harness, 'payment');
  const description = await handleFor(harness, deal.dealNumber).describe();
  const attributes = description.typedSearchAttributes;
  expect(attributes.get(dealPhaseKey)).toBe('payment');
  expect(attributes.get(dealOwnerKey)).toBe('sofia');
  expect(attributes.get(customerNameKey)).toBe('Northfield Fabrication Ltd');
  expect(attributes.get(orderNumberKey)).toBe(deal.order!.number);
  expect(attributes.get(invoiceNumbersKey)).toEqual([deal.invoices[0].number]);

  // Order numbers repeat across test files, whose databases are separate, so the task queue narrows the search.
  const query = `DealPhase = 'payment' AND OrderNumber = '${deal.order!.number}' AND TaskQueue = '${harness.taskQueue}'`;
  const found: string[] = [];
  for (let attempt = 0; attempt < 50 && found.length === 0; attempt += 1) {
    for await (const workflow of harness.client.workflow.list({ query })) found.push(workflow.workflowId);
    if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(found).toEqual([`deal-${deal.dealNumber}`]);
});
