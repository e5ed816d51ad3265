import { condition } from '@temporalio/workflow';
import type { DealContext } from './context';
import { type DealState, type EstimateRevision, latestRevision } from '../domain/deal-state';
import { addDays, endOfLocalDay, localDate } from '../domain/dates';
import * as rules from '../domain/rules';
import type {
  ApproveEstimateInput,
  ConvertToOrderInput,
  CreateEstimateInput,
  RequestChangesInput,
  ReviseEstimateInput,
  SendEstimateInput,
} from '../domain/step-inputs';

/** Steps of the estimate phase, from the first revision to the sales order. */

export async function createEstimate(ctx: DealContext, input: CreateEstimateInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkCreateEstimate(ctx.state),
    async () => {
      const record = ctx.nextStep(input.actor, 'estimate.created', 'Estimate revision 1 drafted', {
        phase: 'estimate',
        data: { lines: input.lines, validForDays: input.validForDays },
      });
      const saved = await ctx.activities.saveEstimateRevision({
        record,
        revision: 1,
        lines: input.lines,
        validForDays: input.validForDays,
        notes: input.notes,
        currency: ctx.state.settings.currency,
        taxRatePercent: ctx.state.customer!.taxRatePercent,
      });
      ctx.applyStep(record, saved.entry);
      ctx.state.estimate = { number: saved.estimateNumber, revisions: [saved.revision] };
      ctx.state.compensations.push({ kind: 'void_estimate', estimateNumber: saved.estimateNumber });
      return ctx.state;
    },
  );
}

/** Rewrites a draft in place, or starts a new revision when the latest one was already sent. */
export async function reviseEstimate(ctx: DealContext, input: ReviseEstimateInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkReviseEstimate(ctx.state),
    async () => {
      const estimate = ctx.state.estimate!;
      const latest = latestRevision(ctx.state)!;
      const inPlace = latest.status === 'draft';
      const revision = inPlace ? latest.revision : latest.revision + 1;
      const record = ctx.nextStep(input.actor, 'estimate.revised', `Estimate revision ${revision} ${inPlace ? 'updated' : 'drafted'}`, {
        data: { revision, lines: input.lines },
      });
      const saved = await ctx.activities.saveEstimateRevision({
        record,
        estimateNumber: estimate.number,
        revision,
        supersedes: inPlace ? undefined : latest.revision,
        lines: input.lines,
        validForDays: input.validForDays ?? latest.validForDays,
        notes: input.notes,
        currency: ctx.state.settings.currency,
        taxRatePercent: ctx.state.customer!.taxRatePercent,
      });
      ctx.applyStep(record, saved.entry);
      if (inPlace) {
        estimate.revisions[estimate.revisions.length - 1] = saved.revision;
      } else {
        if (latest.status !== 'expired') latest.status = 'superseded';
        estimate.revisions.push(saved.revision);
      }
      return ctx.state;
    },
  );
}

/** Emails the latest draft revision to the customer; its validity starts today in the company's time zone. */
export async function sendEstimate(ctx: DealContext, input: SendEstimateInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkSendEstimate(ctx.state),
    async () => {
      const estimate = ctx.state.estimate!;
      const latest = latestRevision(ctx.state)!;
      const { timeZone, currency } = ctx.state.settings;
      const sentAt = new Date().toISOString();
      const validUntil = addDays(localDate(Date.now(), timeZone), latest.validForDays);
      const to = ctx.customerRecipient(input.to);
      const record = ctx.nextStep(input.actor, 'estimate.sent', `${estimate.number} rev ${latest.revision} sent to ${to.address}, valid until ${validUntil}`, {
        data: { revision: latest.revision, to: to.address, validUntil },
        dealPatch: { estimateNumber: estimate.number, total: latest.total },
      });
      const entry = await ctx.activities.updateEstimateRevision({
        record,
        estimateNumber: estimate.number,
        revision: latest.revision,
        status: 'sent',
        sentAt,
        validUntil,
      });
      ctx.applyStep(record, entry);
      Object.assign(latest, {
        status: 'sent',
        sentAt,
        validUntil,
        expiresAt: new Date(endOfLocalDay(validUntil, timeZone)).toISOString(),
      });
      await ctx.sendEmail(record.key, to, {
        kind: 'estimate',
        estimateNumber: estimate.number,
        revision: latest.revision,
        validUntil,
        expiresAt: latest.expiresAt!,
        lines: latest.lines,
        totals: { subtotal: latest.subtotal, tax: latest.tax, total: latest.total, currency },
        message: input.message,
      }, { kind: 'estimate', number: estimate.number, revision: latest.revision });
      void watchExpiry(ctx, latest);
      return ctx.state;
    },
  );
}

/** Marks a sent revision expired at the end of its last valid day, unless the customer decided first. */
export async function watchExpiry(ctx: DealContext, revision: EstimateRevision): Promise<void> {
  const decided = () => revision.status !== 'sent' || ctx.state.outcome !== undefined;
  if (await condition(decided, Math.max(1, Date.parse(revision.expiresAt!) - Date.now()))) return;
  await ctx.exclusive(
    () => undefined,
    async () => {
      if (decided()) return;
      const number = ctx.state.estimate!.number;
      const record = ctx.nextStep('system', 'estimate.expired', `${number} rev ${revision.revision} expired after ${revision.validUntil}`, {
        data: { revision: revision.revision },
      });
      const entry = await ctx.activities.updateEstimateRevision({
        record,
        estimateNumber: number,
        revision: revision.revision,
        status: 'expired',
      });
      ctx.applyStep(record, entry);
      revision.status = 'expired';
    },
  );
}

export async function requestChanges(ctx: DealContext, input: RequestChangesInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkRequestChanges(ctx.state, input, Date.now()),
    async () => {
      const latest = latestRevision(ctx.state)!;
      const number = ctx.state.estimate!.number;
      const record = ctx.nextStep(input.actor, 'estimate.change_requested', `Changes requested on rev ${latest.revision}: ${input.comment}`, {
        data: { revision: latest.revision, comment: input.comment },
      });
      const entry = await ctx.activities.updateEstimateRevision({
        record,
        estimateNumber: number,
        revision: latest.revision,
        status: 'changes_requested',
        customerComment: input.comment,
      });
      ctx.applyStep(record, entry);
      latest.status = 'changes_requested';
      return ctx.state;
    },
  );
}

export async function approveEstimate(ctx: DealContext, input: ApproveEstimateInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkApproveEstimate(ctx.state, input, Date.now()),
    async () => {
      const latest = latestRevision(ctx.state)!;
      const number = ctx.state.estimate!.number;
      const poText = input.purchaseOrderRef ? ` with PO ${input.purchaseOrderRef}` : '';
      const record = ctx.nextStep(input.actor, 'estimate.approved', `Rev ${latest.revision} approved by ${input.acceptedBy}${poText}`, {
        data: { revision: latest.revision, acceptedBy: input.acceptedBy, purchaseOrderRef: input.purchaseOrderRef },
      });
      const entry = await ctx.activities.updateEstimateRevision({
        record,
        estimateNumber: number,
        revision: latest.revision,
        status: 'approved',
        acceptedBy: input.acceptedBy,
        purchaseOrderRef: input.purchaseOrderRef,
      });
      ctx.applyStep(record, entry);
      Object.assign(latest, { status: 'approved', acceptedBy: input.acceptedBy, purchaseOrderRef: input.purchaseOrderRef });
      return ctx.state;
    },
  );
}

export async function convertToOrder(ctx: DealContext, input: ConvertToOrderInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkConvertToOrder(ctx.state),
    async () => {
      const latest = latestRevision(ctx.state)!;
      const estimateNumber = ctx.state.estimate!.number;
      const record = ctx.nextStep(input.actor, 'estimate.converted_to_order', `${estimateNumber} rev ${latest.revision} converted to a sales order`, {
        phase: 'quality',
        dealPatch: { total: latest.total },
      });
      const { order, entry } = await ctx.activities.createSalesOrder({
        record,
        estimateNumber,
        revision: latest.revision,
        purchaseOrderRef: latest.purchaseOrderRef,
        currency: ctx.state.settings.currency,
      });
      ctx.applyStep(record, entry);
      ctx.state.order = order;
      ctx.state.compensations.push({ kind: 'void_order', orderNumber: order.number });
      ctx.state.compensations.push({ kind: 'release_reservations', orderNumber: order.number });
      await ctx.sendEmail(record.key, ctx.customerRecipient(), {
        kind: 'order_confirmation',
        orderNumber: order.number,
        purchaseOrderRef: order.purchaseOrderRef,
        lines: order.lines,
        totals: { subtotal: order.subtotal, tax: order.tax, total: order.total, currency: ctx.state.settings.currency },
      }, { kind: 'order_confirmation', number: order.number });
      return ctx.state;
    },
  );
}
