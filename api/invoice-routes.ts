import { Router } from 'express';
import { QueryTypes } from 'sequelize';
import { z } from 'zod';
import type { Database } from '../models/db';
import type { DealSettings } from '../domain/deal-state';
import { localDate } from '../domain/dates';
import { formatAmount, subtractAmount } from '../domain/money';
import { createInvoice } from '../workflows/deal';
import type { DealService } from './deal-service';
import { requirePermission } from './auth';
import { ProblemError, validationProblem } from './problem';

const listQuerySchema = z.object({
  status: z.enum(['draft', 'open', 'overdue', 'paid']).optional(),
  customerId: z.coerce.number().int().positive().optional(),
  after: z.string().regex(/^INV-\d{6}$/, 'must be an invoice number such as INV-000123').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const batchSchema = z.object({
  customerId: z.number().int().positive().optional(),
  shippedFrom: z.iso.date().optional(),
  shippedTo: z.iso.date().optional(),
});

/** Deals invoiced at the same time by one batch request. */
const BATCH_CONCURRENCY = 8;

interface BatchResult {
  dealNumber: number;
  orderNumber: string;
  result: 'invoiced' | 'skipped' | 'failed';
  invoiceNumber?: string;
  total?: string;
  reason?: string;
}

interface InvoiceRow {
  number: string;
  deal_number: number;
  order_number: string;
  customer_id: number;
  customer_name: string;
  issue_date: string;
  due_date: string;
  currency: string;
  total: string;
  amount_paid: string;
  status: string;
}

/** Invoice lists for finance, and batch invoicing of shipped orders. */
export function createInvoiceRouter(deals: DealService, db: Database, settings: DealSettings): Router {
  const router = Router();

  // `open` is sent and not yet due, `overdue` sent and past its due date in the company's time zone.
  // Newest first; `after` is the last invoice number of the previous page.
  router.get('/invoices', async (req, res) => {
    const parsed = listQuerySchema.safeParse(req.query);
    if (!parsed.success) throw validationProblem(parsed.error, 'query');
    const { status, customerId, after, limit } = parsed.data;
    const today = localDate(Date.now(), settings.timeZone);
    const conditions = ['TRUE'];
    if (status === 'draft' || status === 'paid') conditions.push(`i.status = '${status}'`);
    if (status === 'open') conditions.push(`i.status = 'sent' AND i.due_date >= :today`);
    if (status === 'overdue') conditions.push(`i.status = 'sent' AND i.due_date < :today`);
    if (customerId) conditions.push('d.customer_id = :customerId');
    if (after) conditions.push('i.number < :after');
    const rows = await db.sequelize.query<InvoiceRow>(
      `SELECT i.number, i.deal_number, i.order_number, d.customer_id, d.customer_name, i.issue_date, i.due_date,
              i.currency, i.total::text, i.amount_paid::text, i.status
         FROM invoices i JOIN deals d ON d.number = i.deal_number
        WHERE ${conditions.join(' AND ')}
        ORDER BY i.number DESC LIMIT :limit`,
      { replacements: { today, customerId, after, limit }, type: QueryTypes.SELECT },
    );
    const items = rows.map((row) => {
      const total = formatAmount(row.total, row.currency);
      const amountPaid = formatAmount(row.amount_paid, row.currency);
      let status = row.status;
      if (row.status === 'sent') status = row.due_date < today ? 'overdue' : 'open';
      return {
        number: row.number,
        dealNumber: row.deal_number,
        orderNumber: row.order_number,
        customerId: row.customer_id,
        customerName: row.customer_name,
        issueDate: row.issue_date,
        dueDate: row.due_date,
        currency: row.currency,
        total,
        amountPaid,
        balance: subtractAmount(total, amountPaid, row.currency),
        status,
      };
    });
    res.json({ items, nextCursor: items.length === limit ? items[items.length - 1].number : null });
  });

  /**
   * Invoices every fully shipped order that still has quantities to invoice, one deal at a time, and
   * reports each deal's result. A failed deal does not stop the batch. Repeating it is safe: a deal
   * already invoiced is reported as skipped, because its workflow rejects a second invoice.
   */
  router.post('/invoicing/batch', async (req, res) => {
    const user = requirePermission(res, 'invoices');
    const parsed = batchSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationProblem(parsed.error, 'request body');
    const { customerId, shippedFrom, shippedTo } = parsed.data;
    if (shippedFrom && shippedTo && shippedFrom > shippedTo) {
      throw new ProblemError('validation', `shippedFrom ${shippedFrom} is after shippedTo ${shippedTo}`);
    }
    const candidates = await db.sequelize.query<{ deal_number: number; order_number: string }>(
      `SELECT o.deal_number, o.number AS order_number
         FROM sales_orders o JOIN deals d ON d.number = o.deal_number
        WHERE o.status = 'shipped'
          AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_number = o.number AND l.invoiced_quantity < l.quantity)
          ${customerId ? 'AND d.customer_id = :customerId' : ''}
          ${shippedFrom ? `AND (SELECT max(shipped_at) FROM shipments s WHERE s.order_number = o.number) >= :shippedFrom` : ''}
          ${shippedTo ? `AND (SELECT max(shipped_at) FROM shipments s WHERE s.order_number = o.number) < (:shippedTo::date + 1)` : ''}
        ORDER BY o.created_at, o.number`,
      { replacements: { customerId, shippedFrom, shippedTo }, type: QueryTypes.SELECT },
    );
    // Deals are independent workflows, so a few are invoiced at a time.
    const results: BatchResult[] = new Array(candidates.length);
    let next = 0;
    const invoiceNext = async (): Promise<void> => {
      while (next < candidates.length) {
        const index = next++;
        results[index] = await invoiceDeal(candidates[index].deal_number, candidates[index].order_number);
      }
    };
    const invoiceDeal = async (dealNumber: number, orderNumber: string): Promise<BatchResult> => {
      try {
        const state = await deals.runStep(dealNumber, createInvoice, [{ actor: user.key, from: 'order' }]);
        const invoice = state.invoices[state.invoices.length - 1];
        return { dealNumber, orderNumber, result: 'invoiced', invoiceNumber: invoice.number, total: invoice.total };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const skipped = error instanceof ProblemError && error.kind === 'stepRejected';
        if (!skipped) req.log.warn({ err: error, dealNumber }, 'batch invoicing failed for a deal');
        return { dealNumber, orderNumber, result: skipped ? 'skipped' : 'failed', reason };
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, candidates.length) }, invoiceNext));
    const count = (result: string) => results.filter((item) => item.result === result).length;
    res.json({ invoiced: count('invoiced'), skipped: count('skipped'), failed: count('failed'), results });
  });

  return router;
}
