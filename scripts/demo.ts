import fs from 'node:fs';
import path from 'node:path';
import { apiClientsFor, runScenario, type ApiClient, type Scenario } from './scenario';
import { createUsersWithKeys, type UserSpec } from './create-user';
import { openDatabase, type Database } from '../models/db';
import type { DealState } from '../domain/deal-state';
import { embeddedDatabaseUrl } from '../worker/embedded-database-url';
import { Client, Connection } from '@temporalio/client';

/**
 * `npm run demo`: drives the Glocial Machineries scenario through the API of a running `npm start`
 * and prints the order, the payments and the final balance. API_URL overrides the address. It first
 * issues an API key for each of the scenario's users, in the database of DATABASE_URL or the embedded one.
 * Before listing the emails it waits for the deal's workflow to end, on TEMPORAL_ADDRESS or the dev server
 * of `npm start`, because the last steps' emails go out after those steps have returned.
 */
async function main(): Promise<void> {
  const baseUrl = process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
  const scenarioFile = process.env.SCENARIO_FILE ?? path.join(__dirname, '..', 'scenarios', 'glocial-machineries.json');
  const scenario = JSON.parse(fs.readFileSync(scenarioFile, 'utf8')) as Scenario;
  const db = openDatabase(process.env.DATABASE_URL ?? embeddedDatabaseUrl());
  try {
    await runDemo(db, baseUrl, scenarioFile, scenario);
  } finally {
    await db.sequelize.close();
  }
}

async function runDemo(db: Database, baseUrl: string, scenarioFile: string, scenario: Scenario): Promise<void> {
  const keys = await createUsersWithKeys(db, (scenario as Scenario & { users: UserSpec[] }).users);
  console.log(`Issued API keys for ${[...keys.keys()].join(', ')}`);
  console.log(`Driving ${path.basename(scenarioFile)} through ${baseUrl}\n`);

  const clientFor = apiClientsFor(baseUrl, keys);
  await restockIfShort(clientFor('dev', 'dev'), scenario);
  const deal = await runScenario(clientFor, scenario, (line) => console.log(`  ${line}`));
  const api = clientFor('dev', 'dev');

  const currency = scenario.company.currency;
  const order = deal.order!;
  console.log(`\nDeal ${deal.dealNumber} (workflow ${deal.workflowId}), order ${order.number}`);
  for (const line of order.lines) {
    const discount = Number(line.discountPercent) > 0 ? ` less ${line.discountPercent}%` : '';
    console.log(`  ${line.sku.padEnd(16)} ${String(line.quantity).padStart(3)} × ${line.unitPrice.padStart(9)}${discount.padEnd(9)} ${line.net.padStart(10)}`);
  }
  console.log(`  ${'Subtotal'.padEnd(48)} ${order.subtotal.padStart(10)} ${currency}`);
  console.log(`  ${'Tax'.padEnd(48)} ${order.tax.padStart(10)} ${currency}`);
  console.log(`  ${'Total'.padEnd(48)} ${order.total.padStart(10)} ${currency}`);
  console.log('\nPayments');
  for (const payment of deal.payments) {
    console.log(`  ${payment.reference.padEnd(16)} ${payment.method.padEnd(5)} ${payment.amount.padStart(10)} ${currency}`);
  }
  const { items: products } = await api.get<{ items: { sku: string; onHand: number | null }[] }>('/products');
  const stock = products.filter((product) => product.onHand !== null).map((product) => `${product.sku} ${product.onHand}`);
  console.log(`\nStock on hand: ${stock.join(', ')}`);
  const balance = deal.invoices.map((invoice) => invoice.balance).join(', ');
  console.log(`\nFinal balance: ${balance} ${currency}`);
  console.log(`Phase:         ${deal.phase}`);
  await waitForDealEnd(deal.workflowId);
  await printDocumentsAndEmails(db, baseUrl, deal);
  console.log(`\nOpen the deal in the Temporal UI under workflow id ${deal.workflowId}.`);
}

main().catch((error) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});

/** Waits up to a minute for the deal's workflow, which ends once its last emails are sent. */
async function waitForDealEnd(workflowId: string): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${process.env.TEMPORAL_PORT ?? 7233}`;
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
    const ended = client.workflow.getHandle(workflowId).result();
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`workflow ${workflowId} still running a minute after the last step: check that the worker is running`)), 60_000).unref(),
    );
    await Promise.race([ended, timeout]);
  } finally {
    await connection.close();
  }
}

/** Prints where the deal's emails went (outbox files or SMTP) and the download addresses of its PDFs. */
async function printDocumentsAndEmails(db: Database, baseUrl: string, deal: DealState): Promise<void> {
  const emails = await db.models.Email.findAll({ where: { dealNumber: deal.dealNumber }, order: [['id', 'ASC']] });
  console.log(`\nEmails (${emails.length})`);
  for (const email of emails) {
    const where = (email.get('outboxPath') as string | null) ?? 'sent over SMTP';
    console.log(`  ${String(email.get('subject')).padEnd(58)} ${where}`);
  }
  const order = deal.order!;
  const pdfs = [
    ...deal.estimate!.revisions.map((revision) => `/documents/estimates/${deal.estimate!.number}/revisions/${revision.revision}`),
    `/documents/orders/${order.number}`,
    `/documents/receipts/${order.salesReceiptNumber}`,
    ...deal.invoices.map((invoice) => `/documents/invoices/${invoice.number}`),
    ...deal.payments.map((payment) => `/documents/payments/${payment.id}`),
  ];
  console.log('\nPDFs (GET with an API key; the customer emails carry them as attachments)');
  for (const pdf of pdfs) console.log(`  ${baseUrl}${pdf}`);
}

/**
 * Receives stock for goods the scenario orders but the warehouse no longer has free, so the demo can
 * run again after earlier runs shipped the seeded units. The first runs on a fresh database need none.
 */
async function restockIfShort(api: ApiClient, scenario: Scenario): Promise<void> {
  const ordered = new Map<string, number>();
  for (const step of scenario.steps) {
    if (step.event !== 'estimate.revised' && step.event !== 'estimate.created') continue;
    ordered.clear();
    for (const line of step.data.lines as { sku: string; quantity: number }[]) ordered.set(line.sku, line.quantity);
  }
  const { items } = await api.get<{ items: { sku: string; onHand: number | null; reserved: number }[] }>('/products');
  for (const [sku, quantity] of ordered) {
    const product = items.find((item) => item.sku === sku);
    if (!product || product.onHand === null) continue;
    const shortfall = quantity - (product.onHand - product.reserved);
    if (shortfall <= 0) continue;
    const reference = `DEMO-RESTOCK-${sku}-${Date.now()}`;
    await api.post('/inventory/receipts', { sku, quantity: shortfall, reference });
    console.log(`Received ${shortfall} × ${sku} (${reference}) so this run has stock to ship`);
  }
}
