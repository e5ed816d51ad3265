import { ApplicationFailure } from '@temporalio/activity';
import { QueryTypes, type Transaction } from 'sequelize';
import type { Database } from '../models/db';
import type { OrderLine, OrderSummary, TimelineEntry } from '../domain/deal-state';
import type { PricedLine } from '../domain/pricing';
import { formatAmount } from '../domain/money';
import { inStepTransaction, nextDocumentNumber, type StepRecord } from './step-record';
import { orderReservations, releaseOrder, reserveOrder, type LineReservation } from '../models/stock';
import { shippingStatus } from '../domain/fulfilment';

export interface CreateOrderInput {
  record: StepRecord;
  estimateNumber: string;
  revision: number;
  purchaseOrderRef?: string;
  currency: string;
}

export interface InspectionRecordInput {
  record: StepRecord;
  orderNumber: string;
  seq: number;
  result: 'passed' | 'failed';
  inspector: string;
  checklist: string[];
  notes?: string;
}

export interface ShipOrderInput {
  record: StepRecord;
  orderNumber: string;
  carrier: string;
  trackingNumber: string;
  lines: { lineNo: number; quantity: number }[];
}

export interface ShippedLine {
  lineNo: number;
  sku: string;
  quantity: number;
}

/** Activities for the sales order, its QA inspections, the sales receipt and shipments. */
export function createOrderActivities(db: Database) {
  const { Deal, EstimateRevision, SalesOrder, OrderLine: OrderLines, QaInspection, SalesReceipt, Shipment, StockMovement } =
    db.models;

  /** Copies the approved estimate revision into a sales order; prices come from the revision, not the catalogue. */
  async function createSalesOrder(input: CreateOrderInput): Promise<{ order: OrderSummary; entry: TimelineEntry }> {
    const { result: order, entry } = await inStepTransaction<OrderSummary>(db, input.record, async (transaction) => {
      const revision = await EstimateRevision.findOne({
        where: { estimateNumber: input.estimateNumber, revision: input.revision },
        transaction,
      });
      if (!revision || revision.get('status') !== 'approved') {
        throw ApplicationFailure.nonRetryable(
          `estimate ${input.estimateNumber} revision ${input.revision} is not approved`,
          'NotApproved',
        );
      }
      const number = await nextDocumentNumber(db, 'order_number_seq', 'SO', transaction);
      const lines = (revision.get('lines') as PricedLine[]).map(
        (line): OrderLine => ({ ...line, reservedQuantity: 0, shippedQuantity: 0, invoicedQuantity: 0 }),
      );
      const totals = {
        subtotal: formatAmount(revision.get('subtotal') as string, input.currency),
        tax: formatAmount(revision.get('tax') as string, input.currency),
        total: formatAmount(revision.get('total') as string, input.currency),
      };
      await SalesOrder.create(
        {
          number,
          dealNumber: input.record.dealNumber,
          estimateNumber: input.estimateNumber,
          estimateRevision: input.revision,
          purchaseOrderRef: input.purchaseOrderRef ?? null,
          currency: input.currency,
          ...totals,
          status: 'open',
          idempotencyKey: input.record.key,
          createdAt: input.record.entry.at,
        },
        { transaction },
      );
      await OrderLines.bulkCreate(
        lines.map((line) => ({ ...line, orderNumber: number })),
        { transaction },
      );
      await Deal.update({ orderNumber: number }, { where: { number: input.record.dealNumber }, transaction });
      for (const reservation of await reserveOrder(db, number, transaction)) {
        lines.find((line) => line.lineNo === reservation.lineNo)!.reservedQuantity = reservation.reservedQuantity;
      }
      const summary: OrderSummary = {
        number,
        status: 'open',
        shippingStatus: 'to_ship',
        estimateRevision: input.revision,
        ...(input.purchaseOrderRef ? { purchaseOrderRef: input.purchaseOrderRef } : {}),
        ...totals,
        lines,
        inspections: [],
        shipments: [],
      };
      return { result: summary, documents: [number] };
    });
    return { order, entry };
  }

  async function recordInspection(input: InspectionRecordInput): Promise<TimelineEntry> {
    const { entry } = await inStepTransaction(db, input.record, async (transaction) => {
      await QaInspection.create(
        {
          orderNumber: input.orderNumber,
          seq: input.seq,
          result: input.result,
          inspector: input.inspector,
          checklist: input.checklist,
          notes: input.notes ?? null,
          inspectedAt: input.record.entry.at,
          idempotencyKey: input.record.key,
        },
        { transaction },
      );
      return { result: undefined, documents: [input.orderNumber] };
    });
    return entry;
  }

  /** Generates the sales receipt that pick release produces, for the order's full total. */
  async function createSalesReceipt(input: {
    record: StepRecord;
    orderNumber: string;
  }): Promise<{ receiptNumber: string; entry: TimelineEntry }> {
    const { result, entry } = await inStepTransaction<string>(db, input.record, async (transaction) => {
      const order = await SalesOrder.findByPk(input.orderNumber, { transaction });
      if (!order) throw ApplicationFailure.nonRetryable(`order ${input.orderNumber} not found`, 'NotFound');
      const number = await nextDocumentNumber(db, 'receipt_number_seq', 'SR', transaction);
      await SalesReceipt.create(
        {
          number,
          orderNumber: input.orderNumber,
          currency: order.get('currency'),
          total: order.get('total'),
          idempotencyKey: input.record.key,
          createdAt: input.record.entry.at,
        },
        { transaction },
      );
      await order.update({ status: 'released' }, { transaction });
      return { result: number, documents: [input.orderNumber, number] };
    });
    return { receiptNumber: result, entry };
  }

  /**
   * Ships the requested quantities, which must be reserved, and takes them off stock in one transaction.
   * The stock update is conditional on enough stock on hand and reserved, so stock never goes negative;
   * a line that is short fails the whole shipment without retrying and nothing is written.
   */
  async function shipOrder(
    input: ShipOrderInput,
  ): Promise<{ shipmentNumber: string; lines: ShippedLine[]; entry: TimelineEntry }> {
    const { result, entry } = await inStepTransaction<{ shipmentNumber: string; lines: ShippedLine[] }>(
      db,
      input.record,
      async (transaction) => {
        const orderLines = await OrderLines.findAll({
          where: { orderNumber: input.orderNumber, lineNo: input.lines.map((line) => line.lineNo) },
          lock: true,
          transaction,
        });
        const shipmentNumber = await nextDocumentNumber(db, 'shipment_number_seq', 'SH', transaction);
        const lines: ShippedLine[] = [];
        for (const requested of input.lines) {
          const row = orderLines.find((line) => line.get('lineNo') === requested.lineNo);
          if (!row || (row.get('reservedQuantity') as number) < requested.quantity) {
            throw ApplicationFailure.nonRetryable(
              `line ${requested.lineNo} of order ${input.orderNumber} has ${row?.get('reservedQuantity') ?? 0} reserved, not ${requested.quantity}`,
              'NotReserved',
            );
          }
          const line = { lineNo: requested.lineNo, sku: row.get('sku') as string, quantity: requested.quantity };
          await takeFromStock(line, shipmentNumber, `${input.record.key}/line-${line.lineNo}`, transaction);
          await row.update(
            {
              shippedQuantity: (row.get('shippedQuantity') as number) + line.quantity,
              reservedQuantity: (row.get('reservedQuantity') as number) - line.quantity,
            },
            { transaction },
          );
          lines.push(line);
        }
        await Shipment.create(
          {
            number: shipmentNumber,
            orderNumber: input.orderNumber,
            carrier: input.carrier,
            trackingNumber: input.trackingNumber,
            lines,
            idempotencyKey: input.record.key,
            shippedAt: input.record.entry.at,
          },
          { transaction },
        );
        const allLines = await OrderLines.findAll({ where: { orderNumber: input.orderNumber }, transaction });
        const status = shippingStatus({
          lines: allLines.map((row) => ({ kind: row.get('kind'), quantity: row.get('quantity'), shippedQuantity: row.get('shippedQuantity') })),
        } as never);
        await SalesOrder.update({ status: status === 'shipped' ? 'shipped' : 'partially_shipped' }, { where: { number: input.orderNumber }, transaction });
        return { result: { shipmentNumber, lines }, documents: [input.orderNumber, shipmentNumber] };
      },
    );
    return { ...result, entry };
  }

  async function takeFromStock(line: ShippedLine, shipmentNumber: string, key: string, transaction: Transaction) {
    const updated = await db.sequelize.query<{ on_hand: number }>(
      `UPDATE products SET on_hand = on_hand - :quantity, reserved = reserved - :quantity
        WHERE sku = :sku AND on_hand >= :quantity AND reserved >= :quantity RETURNING on_hand`,
      { replacements: { sku: line.sku, quantity: line.quantity }, type: QueryTypes.SELECT, transaction },
    );
    if (updated.length === 0) {
      const [product] = await db.sequelize.query<{ on_hand: number }>('SELECT on_hand FROM products WHERE sku = :sku', {
        replacements: { sku: line.sku },
        type: QueryTypes.SELECT,
        transaction,
      });
      throw ApplicationFailure.nonRetryable(
        `not enough stock of ${line.sku} to ship ${line.quantity}: ${product?.on_hand ?? 0} on hand`,
        'InsufficientStock',
      );
    }
    await StockMovement.create(
      {
        sku: line.sku,
        quantity: -line.quantity,
        reason: 'shipment',
        documentNumber: shipmentNumber,
        idempotencyKey: key,
        movedAt: new Date(),
      },
      { transaction },
    );
  }

  /** Gives back the order's reserved stock and returns the other orders' lines that received it. */
  async function releaseReservations(input: { record: StepRecord; orderNumber: string }): Promise<{ entry: TimelineEntry; reassigned: LineReservation[] }> {
    const { result, entry } = await inStepTransaction<LineReservation[]>(db, input.record, async (transaction) => {
      const reassigned = await releaseOrder(db, input.orderNumber, transaction);
      return { result: reassigned, documents: [input.orderNumber] };
    });
    return { entry, reassigned: result };
  }

  /** Reads the current reservations of an order's goods lines. */
  async function readReservations(orderNumber: string): Promise<LineReservation[]> {
    return orderReservations(db, orderNumber);
  }

  return { createSalesOrder, recordInspection, createSalesReceipt, shipOrder, releaseReservations, readReservations };
}
