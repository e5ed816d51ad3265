import { startHarness, type Harness } from '../support/harness';
import { ensureCustomer, handleFor, rejection } from '../support/deal-driver';
import * as wf from '../../workflows/deal';
import type { DealState } from '../../domain/deal-state';
import type { LineRequestInput } from '../../domain/step-inputs';

/**
 * Stock reservations, backorders, stock receipts, partial shipments and invoicing of shipped quantities.
 * This file's company invoices shipped quantities, and every test works on its own SKU so the tests do
 * not share stock.
 */

let harness: Harness;
let customerId: number;

beforeAll(async () => {
  harness = await startHarness({ settings: { invoicingPolicy: 'shipped' } });
  customerId = await ensureCustomer(harness);
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

let skuCount = 0;

/** Creates a goods product with the given stock, unique to the calling test. */
async function newProduct(onHand: number): Promise<string> {
  skuCount += 1;
  const sku = `TEST-PRESS-${skuCount}`;
  await harness.db.models.Product.create({ sku, name: `Test press ${skuCount}`, kind: 'goods', unitPrice: '1000.00', onHand, reserved: 0 });
  return sku;
}

/** Takes a new deal with the given lines through approval, conversion, QA and, if asked, pick release. */
async function orderedDeal(lines: LineRequestInput[], options: { release: boolean }): Promise<DealState> {
  const created = await harness.deals.createDeal({ actor: 'sofia', customerId, source: 'test', interest: 'press' });
  const handle = handleFor(harness, created.dealNumber);
  await handle.executeUpdate(wf.qualifyLead, { args: [{ actor: 'sofia' }] });
  await handle.executeUpdate(wf.convertToOpportunity, { args: [{ actor: 'sofia', name: 'Press' }] });
  await handle.executeUpdate(wf.createEstimate, { args: [{ actor: 'mark', validForDays: 30, lines }] });
  await handle.executeUpdate(wf.sendEstimate, { args: [{ actor: 'mark' }] });
  await handle.executeUpdate(wf.approveEstimate, { args: [{ actor: 'customer', acceptedBy: 'Priya Raman' }] });
  await handle.executeUpdate(wf.convertToOrder, { args: [{ actor: 'mark' }] });
  const inspected = await handle.executeUpdate(wf.recordInspection, { args: [{ actor: 'quinn', result: 'passed', checklist: ['ok'] }] });
  return options.release ? handle.executeUpdate(wf.releaseForPicking, { args: [{ actor: 'dev' }] }) : inspected;
}

async function receiveStock(sku: string, quantity: number, reference: string) {
  const response = await fetch(`${harness.baseUrl}/inventory/receipts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...harness.authHeaders('dev') },
    body: JSON.stringify({ sku, quantity, reference }),
  });
  return { status: response.status, body: await response.json() };
}

async function productStock(sku: string): Promise<{ onHand: number; reserved: number }> {
  const product = await harness.db.models.Product.findByPk(sku);
  return { onHand: product!.get('onHand') as number, reserved: product!.get('reserved') as number };
}

/** Polls the deal until `accept` holds, for changes that arrive by signal. */
async function dealWhen(dealNumber: number, accept: (state: DealState) => boolean): Promise<DealState> {
  let state = await handleFor(harness, dealNumber).query(wf.getDeal);
  for (let attempt = 0; attempt < 50 && !accept(state); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = await handleFor(harness, dealNumber).query(wf.getDeal);
  }
  return state;
}

test('short stock is backordered', async () => {
  const sku = await newProduct(1);
  const deal = await orderedDeal([{ sku, quantity: 3 }], { release: false });
  expect(deal.order!.lines[0]).toMatchObject({ quantity: 3, reservedQuantity: 1, shippedQuantity: 0 });
  expect(await productStock(sku)).toEqual({ onHand: 1, reserved: 1 });
});

test('pick release waits for reserved stock', async () => {
  const sku = await newProduct(0);
  const deal = await orderedDeal([{ sku, quantity: 2 }], { release: false });
  const message = await rejection(handleFor(harness, deal.dealNumber).executeUpdate(wf.releaseForPicking, { args: [{ actor: 'dev' }] }));
  expect(message).toBe(`nothing on order ${deal.order!.number} is reserved yet; 2 unit(s) are backordered until stock arrives`);
});

test('partial shipment then receipt completes order', async () => {
  const sku = await newProduct(1);
  const deal = await orderedDeal([{ sku, quantity: 2 }, { sku: 'SVC-INSTALL', quantity: 1 }], { release: true });
  const handle = handleFor(harness, deal.dealNumber);

  const first = await handle.executeUpdate(wf.shipOrder, { args: [{ actor: 'dev', carrier: 'X', trackingNumber: 'T-1', lines: 'all' }] });
  expect(first.phase).toBe('shipping');
  expect(first.order!.shippingStatus).toBe('partially_shipped');
  expect(first.order!.lines[0]).toMatchObject({ shippedQuantity: 1, reservedQuantity: 0 });

  const receipt = await receiveStock(sku, 5, `PO-IN-${sku}`);
  expect(receipt.status).toBe(201);
  expect(receipt.body.allocated).toEqual([
    { dealNumber: deal.dealNumber, orderNumber: deal.order!.number, lineNo: 1, reservedQuantity: 1, backorderedQuantity: 0 },
  ]);
  const reserved = await dealWhen(deal.dealNumber, (state) => state.order!.lines[0].reservedQuantity === 1);
  expect(reserved.timeline.at(-1)?.event).toBe('stock.reserved');

  const second = await handle.executeUpdate(wf.shipOrder, { args: [{ actor: 'dev', carrier: 'X', trackingNumber: 'T-2', lines: 'all' }] });
  expect(second.order!.shippingStatus).toBe('shipped');
  expect(second.phase).toBe('invoicing');
  expect(await productStock(sku)).toEqual({ onHand: 4, reserved: 0 });
  const movements = await harness.db.models.StockMovement.findAll({ where: { sku }, order: [['id', 'ASC']] });
  expect(movements.map((movement) => movement.get('quantity'))).toEqual([-1, 5, -1]);
  const notices = (await harness.mailsFor(deal.dealNumber)).filter((mail) => mail.subject.startsWith('Shipment notice'));
  expect(notices).toHaveLength(2);
});

test('repeated receipt reference is rejected', async () => {
  const sku = await newProduct(0);
  expect((await receiveStock(sku, 2, `DUP-${sku}`)).status).toBe(201);
  const repeat = await receiveStock(sku, 2, `DUP-${sku}`);
  expect(repeat.status).toBe(409);
  expect(repeat.body.detail).toBe(`stock receipt DUP-${sku} is already recorded (2 × ${sku})`);
  expect(await productStock(sku)).toEqual({ onHand: 2, reserved: 0 });
});

test('receipts serve waiting orders in order', async () => {
  const sku = await newProduct(0);
  const older = await orderedDeal([{ sku, quantity: 1 }], { release: false });
  const newer = await orderedDeal([{ sku, quantity: 1 }], { release: false });

  const first = await receiveStock(sku, 1, `FIFO-1-${sku}`);
  expect(first.body.allocated.map((line: { dealNumber: number }) => line.dealNumber)).toEqual([older.dealNumber]);
  const second = await receiveStock(sku, 1, `FIFO-2-${sku}`);
  expect(second.body.allocated.map((line: { dealNumber: number }) => line.dealNumber)).toEqual([newer.dealNumber]);
  const newerState = await dealWhen(newer.dealNumber, (state) => state.order!.lines[0].reservedQuantity === 1);
  expect(newerState.order!.lines[0].reservedQuantity).toBe(1);
});

test('cancellation hands stock to waiting order', async () => {
  const sku = await newProduct(1);
  const holder = await orderedDeal([{ sku, quantity: 1 }], { release: false });
  const waiter = await orderedDeal([{ sku, quantity: 1 }], { release: false });
  expect(waiter.order!.lines[0].reservedQuantity).toBe(0);

  await handleFor(harness, holder.dealNumber).executeUpdate(wf.cancelDeal, { args: [{ actor: 'dana', reason: 'Budget cut' }] });
  const waiting = await dealWhen(waiter.dealNumber, (state) => state.order!.lines[0].reservedQuantity === 1);
  expect(waiting.order!.lines[0].reservedQuantity).toBe(1);
  expect(await productStock(sku)).toEqual({ onHand: 1, reserved: 1 });
});

test('shipped policy invoices what shipped', async () => {
  const sku = await newProduct(1);
  const deal = await orderedDeal([{ sku, quantity: 2 }, { sku: 'SVC-INSTALL', quantity: 1 }], { release: true });
  const handle = handleFor(harness, deal.dealNumber);
  const early = await rejection(handle.executeUpdate(wf.createInvoice, { args: [{ actor: 'fin', from: 'order' }] }));
  expect(early).toBe(`nothing on order ${deal.order!.number} can be invoiced yet: the company invoices shipped quantities, so ship first`);

  await handle.executeUpdate(wf.shipOrder, { args: [{ actor: 'dev', carrier: 'X', trackingNumber: 'T-1', lines: [{ lineNo: 1, quantity: 1 }] }] });
  const firstInvoice = await handle.executeUpdate(wf.createInvoice, { args: [{ actor: 'fin', from: 'order' }] });
  expect(firstInvoice.invoices[0]).toMatchObject({ subtotal: '1000.00', tax: '72.50', total: '1072.50' });
  expect(firstInvoice.phase).toBe('shipping');

  await receiveStock(sku, 1, `POLICY-${sku}`);
  await dealWhen(deal.dealNumber, (state) => state.order!.lines[0].reservedQuantity === 1);
  await handle.executeUpdate(wf.shipOrder, { args: [{ actor: 'dev', carrier: 'X', trackingNumber: 'T-2', lines: 'all' }] });
  const secondInvoice = await handle.executeUpdate(wf.createInvoice, { args: [{ actor: 'fin', from: 'order' }] });
  expect(secondInvoice.invoices[1]).toMatchObject({ subtotal: '4400.00', tax: '319.00', total: '4719.00' });
  expect(secondInvoice.order!.lines.map((line) => line.invoicedQuantity)).toEqual([2, 1]);
  const again = await rejection(handle.executeUpdate(wf.createInvoice, { args: [{ actor: 'fin', from: 'order' }] }));
  expect(again).toBe(`every line of order ${deal.order!.number} is already invoiced`);

  for (const invoice of secondInvoice.invoices) {
    await handle.executeUpdate(wf.sendInvoice, { args: [invoice.number, { actor: 'fin' }] });
  }
  await handle.executeUpdate(wf.recordPayment, {
    args: [{ actor: 'fin', invoiceNumber: secondInvoice.invoices[0].number, amount: '1072.50', method: 'wire', reference: `P1-${sku}` }],
  });
  const paid = await handle.executeUpdate(wf.recordPayment, {
    args: [{ actor: 'fin', invoiceNumber: secondInvoice.invoices[1].number, amount: '4719.00', method: 'wire', reference: `P2-${sku}` }],
  });
  expect(paid.phase).toBe('paid');
});

test('shipping more than reserved is rejected', async () => {
  const sku = await newProduct(1);
  const deal = await orderedDeal([{ sku, quantity: 3 }], { release: true });
  const message = await rejection(
    handleFor(harness, deal.dealNumber).executeUpdate(wf.shipOrder, {
      args: [{ actor: 'dev', carrier: 'X', trackingNumber: 'T', lines: [{ lineNo: 1, quantity: 2 }] }],
    }),
  );
  expect(message).toBe(`line 1 (${sku}) has 1 reserved to ship, not 2`);
  expect(await productStock(sku)).toEqual({ onHand: 1, reserved: 1 });
});
