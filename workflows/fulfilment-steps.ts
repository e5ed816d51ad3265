import type { DealContext } from './context';
import { type DealState, isFinal } from '../domain/deal-state';
import * as rules from '../domain/rules';
import { applyShipment, derivePhase, resolveShipment, type ShipmentLineRequest } from '../domain/fulfilment';
import type { InspectionInput, PickReleaseInput, ShipmentInput, StockReservedInput } from '../domain/step-inputs';

/** Steps from the sales order to the shipment: QA, pick release with its sales receipt, shipping. */

/** Records a QA inspection. A pass moves the order to pick release and emails finance; a fail keeps it in QA for rework. */
export async function recordInspection(ctx: DealContext, input: InspectionInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkInspection(ctx.state),
    async () => {
      const order = ctx.state.order!;
      const seq = order.inspections.length + 1;
      const passed = input.result === 'passed';
      const summary = passed
        ? `QA inspection ${seq} passed`
        : `QA inspection ${seq} failed; order ${order.number} goes back to rework`;
      const record = ctx.nextStep(input.actor, passed ? 'qa.passed' : 'qa.failed', summary, {
        phase: passed ? 'pick_release' : 'quality',
        data: { seq, checklist: input.checklist, notes: input.notes },
      });
      const entry = await ctx.activities.recordInspection({
        record,
        orderNumber: order.number,
        seq,
        result: input.result,
        inspector: input.actor,
        checklist: input.checklist,
        notes: input.notes,
      });
      ctx.applyStep(record, entry);
      order.inspections.push({ seq, result: input.result, inspector: input.actor, checklist: input.checklist, at: entry.at });
      if (passed) {
        await ctx.sendEmail(record.key, { role: 'finance' }, {
          kind: 'qa_passed',
          orderNumber: order.number,
          inspector: input.actor,
          customer: ctx.state.customer!.company,
        });
      }
      return ctx.state;
    },
  );
}

/** Releases the order for picking; the sales receipt is generated in the same step. */
export async function releaseForPicking(ctx: DealContext, input: PickReleaseInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkPickRelease(ctx.state),
    async () => {
      const order = ctx.state.order!;
      const preview = JSON.parse(JSON.stringify(ctx.state)) as DealState;
      preview.order!.salesReceiptNumber = 'pending';
      const record = ctx.nextStep(input.actor, 'order.pick_released', `Order ${order.number} released for picking; sales receipt generated`, {
        phase: derivePhase(preview),
      });
      const { receiptNumber, entry } = await ctx.activities.createSalesReceipt({ record, orderNumber: order.number });
      ctx.applyStep(record, entry);
      order.salesReceiptNumber = receiptNumber;
      ctx.state.compensations.push({ kind: 'void_receipt', receiptNumber });
      return ctx.state;
    },
  );
}

/** Ships reserved goods (all of them, or the listed lines and quantities) and tells the customer. */
export async function shipOrder(ctx: DealContext, input: ShipmentInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkShipment(ctx.state, input),
    async () => {
      const order = ctx.state.order!;
      const resolved = resolveShipment(order, input.lines) as { lines: ShipmentLineRequest[] };
      const preview = JSON.parse(JSON.stringify(ctx.state)) as DealState;
      applyShipment(preview.order!, resolved.lines);
      const units = resolved.lines.reduce((sum, line) => sum + line.quantity, 0);
      const record = ctx.nextStep(input.actor, 'order.shipped', `${units} unit(s) of order ${order.number} shipped with ${input.carrier}, tracking ${input.trackingNumber}`, {
        phase: derivePhase(preview),
        data: { carrier: input.carrier, trackingNumber: input.trackingNumber, lines: resolved.lines },
      });
      const shipment = await ctx.activities.shipOrder({
        record,
        orderNumber: order.number,
        carrier: input.carrier,
        trackingNumber: input.trackingNumber,
        lines: resolved.lines,
      });
      ctx.applyStep(record, shipment.entry);
      applyShipment(order, resolved.lines);
      order.shipments.push({
        number: shipment.shipmentNumber,
        carrier: input.carrier,
        trackingNumber: input.trackingNumber,
        at: shipment.entry.at,
        lines: resolved.lines,
      });
      await ctx.sendEmail(record.key, ctx.customerRecipient(), {
        kind: 'shipment_notice',
        orderNumber: order.number,
        shipmentNumber: shipment.shipmentNumber,
        carrier: input.carrier,
        trackingNumber: input.trackingNumber,
        lines: shipment.lines.map(({ sku, quantity }) => ({ sku, quantity })),
      });
      return ctx.state;
    },
  );
}

/**
 * Takes in the reservations a stock change gave this deal's order (a stock receipt, or another deal's
 * cancellation). The quantities are absolute, so a repeated signal changes nothing.
 */
export async function takeStockReservations(ctx: DealContext, input: StockReservedInput): Promise<void> {
  const order = ctx.state.order;
  if (!order || order.number !== input.orderNumber || isFinal(ctx.state.phase)) return;
  await ctx.exclusive(
    () => undefined,
    async () => {
      const changed = input.lines.filter((update) => {
        const line = order.lines.find((candidate) => candidate.lineNo === update.lineNo);
        return line && line.reservedQuantity !== update.reservedQuantity;
      });
      if (changed.length === 0) return;
      const record = ctx.nextStep('system', 'stock.reserved', `Stock reserved for order ${order.number}: ${changed.map((line) => `line ${line.lineNo} now ${line.reservedQuantity}`).join(', ')}`, {
        data: { lines: changed },
      });
      ctx.applyStep(record, await ctx.activities.recordDealStep(record));
      for (const update of changed) order.lines.find((line) => line.lineNo === update.lineNo)!.reservedQuantity = update.reservedQuantity;
    },
  );
}
