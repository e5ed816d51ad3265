import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Database } from '../models/db';
import { allocateWaiting, type LineReservation } from '../models/stock';
import { stockReceiptSchema } from '../domain/step-inputs';
import { stockReserved } from '../workflows/deal';
import { dealWorkflowId } from './deal-service';
import { parseBody } from './parse';
import { requirePermission, withActor } from './auth';
import { ProblemError } from './problem';

/**
 * Tells each deal whose order received stock. The reservations are already committed, and a signal
 * carries absolute quantities, so a failed signal is logged and the next stock change corrects it.
 */
async function signalDeals(client: Client, reservations: LineReservation[], logger: { error(details: object, message: string): void }): Promise<void> {
  const byOrder = new Map<string, LineReservation[]>();
  for (const line of reservations) byOrder.set(line.orderNumber, [...(byOrder.get(line.orderNumber) ?? []), line]);
  for (const [orderNumber, lines] of byOrder) {
    const workflowId = dealWorkflowId(lines[0].dealNumber);
    try {
      await client.workflow.getHandle(workflowId).signal(stockReserved, {
        orderNumber,
        lines: lines.map(({ lineNo, reservedQuantity }) => ({ lineNo, reservedQuantity })),
      });
    } catch (error) {
      logger.error({ err: error, workflowId, orderNumber }, 'could not tell the deal about its new stock reservation');
    }
  }
}

/** POST /inventory/receipts: goods coming in, handed to backordered orders first come, first served. */
export function createInventoryRouter(client: Client, db: Database): Router {
  const router = Router();
  router.post('/inventory/receipts', async (req, res) => {
    const user = requirePermission(res, 'inventory receipt');
    const body = parseBody(stockReceiptSchema, withActor(req.body, user));
    const product = await db.models.Product.findByPk(body.sku);
    if (!product) {
      throw new ProblemError('unprocessable', `sku: product "${body.sku}" not found`, [{ path: 'sku', message: 'not found' }]);
    }
    if (product.get('kind') !== 'goods') {
      throw new ProblemError('unprocessable', `sku: ${body.sku} is a service and has no stock`, [{ path: 'sku', message: 'is a service' }]);
    }
    const existing = await db.models.StockReceipt.findOne({ where: { reference: body.reference } });
    if (existing) {
      throw new ProblemError('conflict', `stock receipt ${body.reference} is already recorded (${existing.get('quantity')} × ${existing.get('sku')})`);
    }

    const allocated = await db.sequelize.transaction(async (transaction) => {
      await db.models.StockReceipt.create(
        { sku: body.sku, quantity: body.quantity, reference: body.reference, receivedBy: body.actor, receivedAt: new Date() },
        { transaction },
      );
      await db.sequelize.query('UPDATE products SET on_hand = on_hand + :quantity WHERE sku = :sku', {
        replacements: { sku: body.sku, quantity: body.quantity },
        transaction,
      });
      await db.models.StockMovement.create(
        { sku: body.sku, quantity: body.quantity, reason: 'receipt', documentNumber: body.reference, idempotencyKey: `receipt/${body.reference}`, movedAt: new Date() },
        { transaction },
      );
      return allocateWaiting(db, body.sku, transaction);
    });
    await signalDeals(client, allocated, req.log);
    const updated = await db.models.Product.findByPk(body.sku);
    res.status(201).json({
      sku: body.sku,
      onHand: updated!.get('onHand'),
      reserved: updated!.get('reserved'),
      allocated: allocated.map(({ dealNumber, orderNumber, lineNo, reservedQuantity, backorderedQuantity }) => ({
        dealNumber,
        orderNumber,
        lineNo,
        reservedQuantity,
        backorderedQuantity,
      })),
    });
  });
  return router;
}
