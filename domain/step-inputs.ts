import { z } from 'zod';
import { isDecimalString } from './money';
import { parseIsoDuration } from './dates';

/**
 * Request bodies of the deal steps. The API parses every body with these schemas, and the workflow
 * receives the parsed value, so the workflow's validators only check whether the step is allowed now.
 */

const userKey = z.string().trim().min(1, 'must name a user').max(64);
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const optionalText = (max: number) => z.string().trim().max(max).optional();

const amount = z
  .string()
  .refine(isDecimalString, 'must be a decimal string such as "1250.00"')
  .refine((value) => !value.startsWith('-'), 'must not be negative');

const positiveAmount = amount.refine((value) => Number(value) > 0, 'must be greater than zero');

const percent = amount.refine((value) => Number(value) <= 100, 'must be at most 100');

const isoDuration = z.string().refine((value) => {
  try {
    return parseIsoDuration(value) > 0;
  } catch {
    return false;
  }
}, 'must be a positive ISO 8601 duration such as P2D or PT4H');

export const actorSchema = z.object({ actor: userKey });

export const createLeadSchema = actorSchema.extend({
  customerId: z.number().int().positive(),
  source: text(200),
  interest: text(2000),
  estimatedValue: amount.optional(),
});

export const qualifyLeadSchema = actorSchema.extend({ notes: optionalText(4000) });
export const disqualifyLeadSchema = actorSchema.extend({ reason: text(2000) });

export const convertToOpportunitySchema = actorSchema.extend({
  name: text(200),
  expectedCloseInDays: z.number().int().positive().max(3650).optional(),
});

export const followUpChannels = ['call', 'email', 'meeting', 'visit'] as const;
export const scheduleFollowUpSchema = actorSchema
  .extend({
    dueIn: isoDuration.optional(),
    dueAt: z.iso.datetime({ offset: true }).optional(),
    remindBefore: isoDuration.optional(),
    channel: z.enum(followUpChannels),
    subject: text(500),
  })
  .refine((value) => (value.dueIn === undefined) !== (value.dueAt === undefined), {
    message: 'give exactly one of dueIn (an ISO 8601 duration) and dueAt (a timestamp)',
    path: ['dueIn'],
  });

export const completeFollowUpSchema = actorSchema.extend({ outcome: text(4000) });
export const cancelFollowUpSchema = actorSchema.extend({ reason: optionalText(2000) });

export const pipelineStages = ['qualification', 'needs_analysis', 'proposal', 'negotiation'] as const;
export type PipelineStage = (typeof pipelineStages)[number];
export const moveStageSchema = actorSchema.extend({ to: z.enum(pipelineStages) });

export const assignSchema = actorSchema.extend({ to: userKey, note: optionalText(2000) });
export const markLostSchema = actorSchema.extend({ reason: text(2000) });
export const cancelDealSchema = actorSchema.extend({ reason: text(2000) });

export const lineRequestSchema = z.object({
  sku: text(64),
  quantity: z.number().int().positive().max(1_000_000),
  discountPercent: percent.optional(),
});
const lines = z.array(lineRequestSchema).min(1, 'must have at least one line').max(200);

export const createEstimateSchema = actorSchema.extend({
  validForDays: z.number().int().positive().max(365),
  lines,
  notes: optionalText(4000),
});
export const reviseEstimateSchema = actorSchema.extend({
  lines,
  validForDays: z.number().int().positive().max(365).optional(),
  notes: optionalText(4000),
});
export const sendEstimateSchema = actorSchema.extend({ to: z.email().optional(), message: optionalText(4000) });

const revision = z.number().int().positive().optional();
export const requestChangesSchema = actorSchema.extend({ comment: text(4000), revision });
export const approveEstimateSchema = actorSchema.extend({
  acceptedBy: text(200),
  purchaseOrderRef: optionalText(100),
  revision,
});

export const convertToOrderSchema = actorSchema.extend({});

export const inspectionSchema = actorSchema.extend({
  result: z.enum(['passed', 'failed']),
  checklist: z.array(text(500)).min(1, 'must list at least one check'),
  notes: optionalText(4000),
});

export const pickReleaseSchema = actorSchema.extend({});

export const shipmentSchema = actorSchema.extend({
  carrier: text(200),
  trackingNumber: text(200),
  lines: z.union([
    z.literal('all'),
    z
      .array(z.object({ lineNo: z.number().int().positive(), quantity: z.number().int().positive().max(1_000_000) }))
      .min(1, 'must list at least one line, or be "all"'),
  ]),
});

export const stockReceiptSchema = actorSchema.extend({
  sku: text(64),
  quantity: z.number().int().positive().max(1_000_000),
  reference: text(200),
});

/** Reservations of an order's goods lines as they stand after a stock change, sent to the deal as a signal. */
export interface StockReservedInput {
  orderNumber: string;
  lines: { lineNo: number; reservedQuantity: number }[];
}

export const createInvoiceSchema = actorSchema.extend({ from: z.literal('order') });
export const sendInvoiceSchema = actorSchema.extend({ to: z.email().optional() });

export const paymentMethods = ['wire', 'ach', 'card', 'check', 'cash'] as const;
export const paymentSchema = actorSchema.extend({
  invoiceNumber: text(32).optional(),
  amount: positiveAmount,
  method: z.enum(paymentMethods),
  reference: text(200),
});

export type CreateLeadInput = z.infer<typeof createLeadSchema>;
export type QualifyLeadInput = z.infer<typeof qualifyLeadSchema>;
export type DisqualifyLeadInput = z.infer<typeof disqualifyLeadSchema>;
export type ConvertToOpportunityInput = z.infer<typeof convertToOpportunitySchema>;
export type ScheduleFollowUpInput = z.infer<typeof scheduleFollowUpSchema>;
export type CompleteFollowUpInput = z.infer<typeof completeFollowUpSchema> & { seq: number };
export type CancelFollowUpInput = z.infer<typeof cancelFollowUpSchema> & { seq: number };
export type MoveStageInput = z.infer<typeof moveStageSchema>;
export type AssignInput = z.infer<typeof assignSchema>;
export type MarkLostInput = z.infer<typeof markLostSchema>;
export type CancelDealInput = z.infer<typeof cancelDealSchema>;
export type LineRequestInput = z.infer<typeof lineRequestSchema>;
export type CreateEstimateInput = z.infer<typeof createEstimateSchema>;
export type ReviseEstimateInput = z.infer<typeof reviseEstimateSchema>;
export type SendEstimateInput = z.infer<typeof sendEstimateSchema>;
export type RequestChangesInput = z.infer<typeof requestChangesSchema>;
export type ApproveEstimateInput = z.infer<typeof approveEstimateSchema>;
export type ConvertToOrderInput = z.infer<typeof convertToOrderSchema>;
export type InspectionInput = z.infer<typeof inspectionSchema>;
export type PickReleaseInput = z.infer<typeof pickReleaseSchema>;
export type ShipmentInput = z.infer<typeof shipmentSchema>;
export type StockReceiptInput = z.infer<typeof stockReceiptSchema>;
export type CreateInvoiceInput = z.infer<typeof createInvoiceSchema>;
export type SendInvoiceInput = z.infer<typeof sendInvoiceSchema>;
export type PaymentInput = z.infer<typeof paymentSchema>;
