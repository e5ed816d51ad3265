import { QueryTypes, type Transaction } from 'sequelize';
import type { Database } from './db';

/**
 * Stock arithmetic in SQL, inside the caller's transaction. Every function locks the product row
 * first, so two transactions never reserve or ship the same unit: the second waits and reads the first's
 * result. Reservations are first come, first served: free stock (on hand minus reserved) exists only
 * while no order waits for that SKU, because every increase of free stock is handed to waiting orders
 * at once, oldest order first.
 */

export interface LineReservation {
  dealNumber: number;
  orderNumber: string;
  lineNo: number;
  reservedQuantity: number;
  backorderedQuantity: number;
}

async function lockProduct(db: Database, sku: string, transaction: Transaction): Promise<{ onHand: number; reserved: number }> {
  const [product] = await db.sequelize.query<{ on_hand: number; reserved: number }>(
    // NO KEY UPDATE, not UPDATE: order lines inserted earlier in the same transaction hold a KEY SHARE
    // lock on the product through their foreign key, which a plain FOR UPDATE of another
    // transaction would deadlock against.
    'SELECT on_hand, reserved FROM products WHERE sku = :sku FOR NO KEY UPDATE',
    { replacements: { sku }, type: QueryTypes.SELECT, transaction },
  );
  if (!product) throw new Error(`product ${sku} not found`);
  return { onHand: product.on_hand, reserved: product.reserved };
}

/** Reserves what free stock allows for each goods line of a new order; the rest is backordered. */
export async function reserveOrder(db: Database, orderNumber: string, transaction: Transaction): Promise<LineReservation[]> {
  const lines = await db.sequelize.query<{ line_no: number; sku: string; quantity: number }>(
    // Locking products in SKU order keeps two orders with the same SKUs from waiting on each other.
    `SELECT line_no, sku, quantity FROM order_lines WHERE order_number = :orderNumber AND kind = 'goods' ORDER BY sku, line_no`,
    { replacements: { orderNumber }, type: QueryTypes.SELECT, transaction },
  );
  for (const line of lines) {
    const product = await lockProduct(db, line.sku, transaction);
    const granted = Math.min(line.quantity, product.onHand - product.reserved);
    if (granted > 0) await moveReservation(db, orderNumber, line.line_no, line.sku, granted, transaction);
  }
  return orderReservations(db, orderNumber, transaction);
}

async function moveReservation(
  db: Database,
  orderNumber: string,
  lineNo: number,
  sku: string,
  quantity: number,
  transaction: Transaction,
): Promise<void> {
  await db.sequelize.query('UPDATE products SET reserved = reserved + :quantity WHERE sku = :sku', {
    replacements: { sku, quantity },
    transaction,
  });
  await db.sequelize.query(
    'UPDATE order_lines SET reserved_quantity = reserved_quantity + :quantity WHERE order_number = :orderNumber AND line_no = :lineNo',
    { replacements: { orderNumber, lineNo, quantity }, transaction },
  );
}

/** Returns the reservation of every goods line of an order. */
export async function orderReservations(db: Database, orderNumber: string, transaction?: Transaction): Promise<LineReservation[]> {
  const rows = await db.sequelize.query<{
    deal_number: number;
    line_no: number;
    reserved_quantity: number;
    backordered: number;
  }>(
    `SELECT o.deal_number, l.line_no, l.reserved_quantity, l.quantity - l.shipped_quantity - l.reserved_quantity AS backordered
       FROM order_lines l JOIN sales_orders o ON o.number = l.order_number
      WHERE l.order_number = :orderNumber AND l.kind = 'goods' ORDER BY l.line_no`,
    { replacements: { orderNumber }, type: QueryTypes.SELECT, transaction },
  );
  return rows.map((row) => ({
    dealNumber: row.deal_number,
    orderNumber,
    lineNo: row.line_no,
    reservedQuantity: row.reserved_quantity,
    backorderedQuantity: Number(row.backordered),
  }));
}

/**
 * Hands free stock of a SKU to orders waiting for it, oldest order first, and returns the order lines
 * whose reservation grew.
 */
export async function allocateWaiting(
  db: Database,
  sku: string,
  transaction: Transaction,
  excludeOrder = '',
): Promise<LineReservation[]> {
  const product = await lockProduct(db, sku, transaction);
  let free = product.onHand - product.reserved;
  if (free <= 0) return [];
  const waiting = await db.sequelize.query<{ order_number: string; line_no: number; missing: number }>(
    `SELECT l.order_number, l.line_no, l.quantity - l.shipped_quantity - l.reserved_quantity AS missing
       FROM order_lines l JOIN sales_orders o ON o.number = l.order_number
      WHERE l.sku = :sku AND l.kind = 'goods' AND o.status IN ('open', 'released', 'partially_shipped') AND o.number <> :excludeOrder
        AND l.quantity - l.shipped_quantity - l.reserved_quantity > 0
      ORDER BY o.created_at, o.number, l.line_no
      FOR UPDATE OF l`,
    { replacements: { sku, excludeOrder }, type: QueryTypes.SELECT, transaction },
  );
  const changedOrders = new Set<string>();
  for (const line of waiting) {
    if (free <= 0) break;
    const granted = Math.min(Number(line.missing), free);
    await moveReservation(db, line.order_number, line.line_no, sku, granted, transaction);
    free -= granted;
    changedOrders.add(line.order_number);
  }
  const result: LineReservation[] = [];
  for (const orderNumber of changedOrders) result.push(...(await orderReservations(db, orderNumber, transaction)));
  return result;
}

/** Releases every unit reserved for an order to waiting orders and returns their changed lines. */
export async function releaseOrder(db: Database, orderNumber: string, transaction: Transaction): Promise<LineReservation[]> {
  const lines = await db.sequelize.query<{ line_no: number; sku: string; reserved_quantity: number }>(
    `SELECT line_no, sku, reserved_quantity FROM order_lines
      WHERE order_number = :orderNumber AND kind = 'goods' AND reserved_quantity > 0 ORDER BY line_no`,
    { replacements: { orderNumber }, type: QueryTypes.SELECT, transaction },
  );
  const changed: LineReservation[] = [];
  for (const line of lines) {
    await lockProduct(db, line.sku, transaction);
    await moveReservation(db, orderNumber, line.line_no, line.sku, -line.reserved_quantity, transaction);
    changed.push(...(await allocateWaiting(db, line.sku, transaction, orderNumber)));
  }
  return changed;
}
