import type { DealContext } from './context';
import type { DealState } from '../domain/deal-state';
import * as rules from '../domain/rules';
import type { InspectionInput, PickReleaseInput, ShipmentInput } from '../domain/step-inputs';

/** Steps from the sales order to the shipment: QA, pick release with its sales receipt, shipping. */

/** Records a QA inspection. A pass moves the order to pick release and tells finance; a fail keeps it in QA for rework. */
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
      const record = ctx.nextStep(input.actor, 'order.pick_released', `Order ${order.number} released for picking; sales receipt generated`, {
        phase: 'shipping',
      });
      const { receiptNumber, entry } = await ctx.activities.createSalesReceipt({ record, orderNumber: order.number });
      ctx.applyStep(record, entry);
      order.salesReceiptNumber = receiptNumber;
      ctx.state.compensations.push({ kind: 'void_receipt', receiptNumber });
      return ctx.state;
    },
  );
}

/** Ships every unshipped goods line, takes it off stock and sends the customer a shipment notice. */
export async function shipOrder(ctx: DealContext, input: ShipmentInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkShipment(ctx.state),
    async () => {
      const order = ctx.state.order!;
      const record = ctx.nextStep(input.actor, 'order.shipped', `Order ${order.number} shipped with ${input.carrier}, tracking ${input.trackingNumber}`, {
        phase: 'invoicing',
        data: { carrier: input.carrier, trackingNumber: input.trackingNumber },
      });
      const shipment = await ctx.activities.shipOrder({
        record,
        orderNumber: order.number,
        carrier: input.carrier,
        trackingNumber: input.trackingNumber,
      });
      ctx.applyStep(record, shipment.entry);
      for (const shipped of shipment.lines) {
        const line = order.lines.find((candidate) => candidate.lineNo === shipped.lineNo)!;
        line.shippedQuantity += shipped.quantity;
      }
      order.shipments.push({
        number: shipment.shipmentNumber,
        carrier: input.carrier,
        trackingNumber: input.trackingNumber,
        at: shipment.entry.at,
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
