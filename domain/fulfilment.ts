import { isZero } from './money';
import type { DealState, OrderLine, OrderSummary, Phase } from './deal-state';

/**
 * Rules for the order after conversion: what may ship, what may be invoiced, and which phase the deal
 * is in. From the order on, the phase follows from the documents rather than from the last step, since
 * partial shipments, several invoices and payments may interleave.
 */

export type InvoicingPolicy = 'ordered' | 'shipped';

export interface ShipmentLineRequest {
  lineNo: number;
  quantity: number;
}

const isGoods = (line: OrderLine) => line.kind === 'goods';

export function backorderedQuantity(line: OrderLine): number {
  return isGoods(line) ? line.quantity - line.shippedQuantity - line.reservedQuantity : 0;
}

export function shippingStatus(order: OrderSummary): 'to_ship' | 'partially_shipped' | 'shipped' {
  const goods = order.lines.filter(isGoods);
  if (goods.every((line) => line.shippedQuantity >= line.quantity)) return 'shipped';
  return goods.some((line) => line.shippedQuantity > 0) ? 'partially_shipped' : 'to_ship';
}

/**
 * Quantity of each line that an invoice created now would bill. Under the `shipped` policy goods are
 * billed as they ship and services once every goods line has shipped, since installation follows delivery.
 */
export function invoiceableQuantities(order: OrderSummary, policy: InvoicingPolicy): Map<number, number> {
  const allShipped = shippingStatus(order) === 'shipped';
  const quantities = new Map<number, number>();
  for (const line of order.lines) {
    let billable = line.quantity;
    if (policy === 'shipped' && isGoods(line)) billable = line.shippedQuantity;
    if (policy === 'shipped' && !isGoods(line) && !allShipped) billable = 0;
    const open = billable - line.invoicedQuantity;
    if (open > 0) quantities.set(line.lineNo, open);
  }
  return quantities;
}

/** Resolves a shipment request to quantities per line, or returns the reason it cannot ship. */
export function resolveShipment(
  order: OrderSummary,
  request: 'all' | ShipmentLineRequest[],
): { lines: ShipmentLineRequest[] } | { reason: string } {
  if (request === 'all') {
    const lines = order.lines
      .filter((line) => isGoods(line) && line.reservedQuantity > 0)
      .map((line) => ({ lineNo: line.lineNo, quantity: line.reservedQuantity }));
    if (lines.length > 0) return { lines };
    const waiting = order.lines.reduce((sum, line) => sum + backorderedQuantity(line), 0);
    return {
      reason:
        waiting > 0
          ? `nothing on order ${order.number} is reserved to ship; ${waiting} unit(s) are backordered`
          : `order ${order.number} has no goods left to ship`,
    };
  }
  const seen = new Set<number>();
  for (const requested of request) {
    const line = order.lines.find((candidate) => candidate.lineNo === requested.lineNo);
    if (!line) return { reason: `order ${order.number} has no line ${requested.lineNo}` };
    if (!isGoods(line)) return { reason: `line ${line.lineNo} (${line.sku}) is a service and is not shipped` };
    if (seen.has(line.lineNo)) return { reason: `line ${line.lineNo} is listed twice` };
    seen.add(line.lineNo);
    if (requested.quantity > line.reservedQuantity) {
      return {
        reason: `line ${line.lineNo} (${line.sku}) has ${line.reservedQuantity} reserved to ship, not ${requested.quantity}`,
      };
    }
  }
  return { lines: request };
}

/** Applies shipped quantities to the order lines: they leave the reservation and count as shipped. */
export function applyShipment(order: OrderSummary, lines: ShipmentLineRequest[]): void {
  for (const shipped of lines) {
    const line = order.lines.find((candidate) => candidate.lineNo === shipped.lineNo)!;
    line.shippedQuantity += shipped.quantity;
    line.reservedQuantity -= shipped.quantity;
  }
  order.shippingStatus = shippingStatus(order);
}

/** Returns the phase of a deal that has an order, from its inspections, receipt, shipments and invoices. */
export function derivePhase(state: DealState): Phase {
  const order = state.order;
  if (!order) return state.phase;
  if (!order.inspections.some((inspection) => inspection.result === 'passed')) return 'quality';
  if (!order.salesReceiptNumber) return 'pick_release';
  if (shippingStatus(order) !== 'shipped') return 'shipping';
  const policy = state.settings.invoicingPolicy ?? 'ordered';
  const drafts = state.invoices.some((invoice) => invoice.status === 'draft');
  if (drafts || invoiceableQuantities(order, policy).size > 0) return 'invoicing';
  if (state.invoices.some((invoice) => !isZero(invoice.balance))) return 'payment';
  return 'paid';
}
