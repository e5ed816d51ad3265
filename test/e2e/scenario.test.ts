import fs from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startHarness, type Harness } from '../support/harness';
import { apiClientsFor, runScenario, type Scenario } from '../../scripts/scenario';
import type { DealState } from '../../domain/deal-state';
import { addDays } from '../../domain/dates';

const scenarioPath = path.join(__dirname, '..', '..', 'scenarios', 'glocial-machineries.json');
const scenario = JSON.parse(fs.readFileSync(scenarioPath, 'utf8')) as Scenario & {
  expected: {
    estimateRevisions: number;
    order: {
      lines: { sku: string; quantity: number; unitPrice: string; discountPercent?: string; net: string }[];
      subtotal: string;
      tax: string;
      total: string;
    };
    salesReceipts: number;
    stockAfterShipment: Record<string, number>;
    invoice: { total: string; dueInDays: number };
    payments: string[];
    finalBalance: string;
    finalStage: string;
    emailsToCustomer: string[];
    emailsInternal: string[];
  };
};
const expected = scenario.expected;

// The follow-ups in the scenario fall due two and three days after they are scheduled. The company
// setting for the reminder lead time is three days here, so each reminder is due at once and the run
// sees both reminder emails without waiting for days of real time.
const REMIND_BEFORE = 'P3D';

describe('Glocial Machineries scenario through the API', () => {
  let harness: Harness;
  let deal: DealState;

  beforeAll(async () => {
    harness = await startHarness({ settings: { followUpRemindBefore: REMIND_BEFORE } });
    deal = await runScenario(apiClientsFor(harness.baseUrl, harness.keys), scenario);
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  test('ends paid with a zero balance', () => {
    expect(deal.phase).toBe(expected.finalStage);
    expect(deal.invoices).toHaveLength(1);
    expect(deal.invoices[0].balance).toBe(expected.finalBalance);
    expect(deal.invoices[0].status).toBe('paid');
  });

  test('keeps every estimate revision', async () => {
    expect(deal.estimate!.revisions).toHaveLength(expected.estimateRevisions);
    expect(deal.estimate!.revisions.map((revision) => revision.status)).toEqual(['superseded', 'approved']);
    const stored = await harness.db.models.EstimateRevision.count({ where: { estimateNumber: deal.estimate!.number } });
    expect(stored).toBe(expected.estimateRevisions);
  });

  test('order lines and totals match to the cent', async () => {
    const order = deal.order!;
    const lines = order.lines.map((line) => ({
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      net: line.net,
      ...(Number(line.discountPercent) > 0 ? { discountPercent: line.discountPercent } : {}),
    }));
    expect(lines).toEqual(expected.order.lines);
    expect(order.subtotal).toBe(expected.order.subtotal);
    expect(order.tax).toBe(expected.order.tax);
    expect(order.total).toBe(expected.order.total);

    const [row] = await harness.db.sequelize.query(
      `SELECT subtotal::text, tax::text, total::text FROM sales_orders WHERE number = :number`,
      { replacements: { number: order.number }, plain: false, raw: true },
    );
    expect(row).toEqual([{ subtotal: '55896.0000', tax: '4052.4600', total: '59948.4600' }]);
  });

  test('pick release generates one sales receipt', async () => {
    const receipts = await harness.db.models.SalesReceipt.count({ where: { orderNumber: deal.order!.number } });
    expect(receipts).toBe(expected.salesReceipts);
    expect(deal.order!.salesReceiptNumber).toMatch(/^SR-\d{6}$/);
  });

  test('shipment leaves the expected stock', async () => {
    const { items } = await harness.api.get<{ items: { sku: string; onHand: number | null }[] }>('/products');
    for (const [sku, onHand] of Object.entries(expected.stockAfterShipment)) {
      expect({ sku, onHand: items.find((item) => item.sku === sku)?.onHand }).toEqual({ sku, onHand });
    }
    const movements = await harness.db.models.StockMovement.findAll({ order: [['sku', 'ASC']] });
    expect(movements.map((movement) => [movement.get('sku'), movement.get('quantity')])).toEqual([
      ['GM-CNC-2200', -1],
      ['GM-TOOL-KIT', -2],
    ]);
  });

  test('invoice totals and due date', () => {
    const invoice = deal.invoices[0];
    expect(invoice.total).toBe(expected.invoice.total);
    expect(invoice.dueDate).toBe(addDays(invoice.issueDate, expected.invoice.dueInDays));
  });

  test('payments are recorded as given', async () => {
    expect(deal.payments.map((payment) => payment.amount)).toEqual(expected.payments);
    const stored = await harness.db.models.Payment.findAll({ order: [['id', 'ASC']] });
    expect(stored.map((payment) => payment.get('amount'))).toEqual(expected.payments.map((amount) => `${amount}00`));
  });

  test('timeline names the actor of every step', async () => {
    const actors = new Set(deal.timeline.map((entry) => entry.actor));
    expect(actors).toEqual(new Set(['sofia', 'mark', 'customer', 'quinn', 'dev', 'fin', 'system']));
    const stored = await harness.db.models.TimelineEntry.count({ where: { dealNumber: deal.dealNumber } });
    expect(stored).toBe(deal.timeline.length);
  });

  test('customer receives each document by email', async () => {
    const mails = await harness.mailsFor(deal.dealNumber);
    const customerEmail = scenario.customer.contact.email;
    const subjects = mails.filter((mail) => mail.to.includes(customerEmail)).map((mail) => mail.subject);
    const estimate = deal.estimate!.number;
    const order = deal.order!.number;
    const invoice = deal.invoices[0].number;
    expect(subjects).toEqual([
      `Estimate ${estimate} rev 1 from Glocial Machineries`,
      `Estimate ${estimate} rev 2 from Glocial Machineries`,
      `Order confirmation ${order}`,
      `Shipment notice ${deal.order!.shipments[0].number} for order ${order}`,
      `Invoice ${invoice} from Glocial Machineries`,
      `Payment receipt for invoice ${invoice}`,
      `Payment receipt for invoice ${invoice}`,
    ]);
    expect(subjects).toHaveLength(expected.emailsToCustomer.length);
  });

  test('customer documents arrive as PDFs', async () => {
    const mails = await harness.mailsFor(deal.dealNumber);
    const attached = mails.filter((mail) => mail.to.includes(scenario.customer.contact.email)).map((mail) => mail.attachments);
    const estimate = deal.estimate!.number;
    const invoice = deal.invoices[0].number;
    expect(attached).toEqual([
      [`${estimate}-rev1.pdf`],
      [`${estimate}-rev2.pdf`],
      [`${deal.order!.number}.pdf`],
      [],
      [`${invoice}.pdf`],
      [`payment-${deal.payments[0].id}.pdf`],
      [`payment-${deal.payments[1].id}.pdf`],
    ]);
  });

  test('estimate emails link to the portal', async () => {
    const mails = await harness.mailsFor(deal.dealNumber);
    const estimates = mails.filter((mail) => mail.subject.startsWith('Estimate '));
    const links = estimates.map((mail) => /(http:\/\/\S+\/portal\/\S+)/.exec(mail.text)?.[1]);
    expect(links.every((link) => link !== undefined)).toBe(true);
    const approvedPage = await fetch(links[1]!);
    expect(approvedPage.status).toBe(200);
    expect(await approvedPage.text()).toContain('Priya Raman');
    const supersededPage = await (await fetch(links[0]!)).text();
    expect(supersededPage).toContain('rev 2');
  });

  test('documents download as PDFs', async () => {
    const paths = [
      `/documents/estimates/${deal.estimate!.number}/revisions/2`,
      `/documents/orders/${deal.order!.number}`,
      `/documents/receipts/${deal.order!.salesReceiptNumber}`,
      `/documents/invoices/${deal.invoices[0].number}`,
      `/documents/payments/${deal.payments[1].id}`,
    ];
    for (const path of paths) {
      const response = await fetch(`${harness.baseUrl}${path}`, { headers: harness.authHeaders('fin') });
      const body = Buffer.from(await response.arrayBuffer());
      expect({ path, status: response.status, type: response.headers.get('content-type') }).toEqual({
        path,
        status: 200,
        type: 'application/pdf',
      });
      expect(body.subarray(0, 5).toString()).toBe('%PDF-');
    }
    const missing = await fetch(`${harness.baseUrl}/documents/invoices/INV-999999`, { headers: harness.authHeaders('fin') });
    expect(missing.status).toBe(404);
  });

  test('invoice PDF shows the scenario totals', async () => {
    const response = await fetch(`${harness.baseUrl}/documents/invoices/${deal.invoices[0].number}`, { headers: harness.authHeaders('fin') });
    const file = path.join(os.tmpdir(), `invoice-${deal.dealNumber}.pdf`);
    fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    fs.rmSync(file);
    for (const figure of [expected.order.subtotal, expected.order.tax, expected.order.total, 'Northfield Fabrication Ltd']) {
      expect(text).toContain(figure);
    }
  });

  test('staff receive reminders and notices', async () => {
    const mails = await harness.mailsFor(deal.dealNumber);
    const internal = mails
      .filter((mail) => mail.to.endsWith('@glocial-machineries.example'))
      .map((mail) => `${mail.to} ${mail.subject}`);
    expect(internal).toEqual([
      'sofia.alvarez@glocial-machineries.example Follow-up reminder: call with Northfield Fabrication Ltd',
      'sofia.alvarez@glocial-machineries.example Follow-up reminder: meeting with Northfield Fabrication Ltd',
      `mark.henry@glocial-machineries.example Deal ${deal.dealNumber} assigned to you: Northfield second line lathe`,
      `finance@glocial-machineries.example QA passed for order ${deal.order!.number}`,
    ]);
    expect(internal).toHaveLength(expected.emailsInternal.length);
  });

  test('deal list shows the paid deal', async () => {
    const list = await harness.api.get<{ items: { number: number; phase: string; orderNumber: string }[] }>(
      `/deals?customerId=${deal.customer!.id}`,
    );
    expect(list.items[0]).toMatchObject({ number: deal.dealNumber, phase: 'paid', orderNumber: deal.order!.number });
  });
});
