import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type * as core from 'zod/v4/core';
import * as inputs from '../domain/step-inputs';
import { isDecimalString } from '../domain/money';
import {
  phases,
  type Compensation,
  type CustomerSnapshot,
  type DealSettings,
  type DealState,
  type EstimateRevision,
  type EstimateSummary,
  type FollowUp,
  type Inspection,
  type InvoiceSummary,
  type OrderLine,
  type OrderSummary,
  type PaymentSummary,
  type TimelineEntry,
} from '../domain/deal-state';
import type { DunningSettings } from '../domain/dunning';
import type { PricedLine } from '../domain/pricing';
import { stepRoutes } from './step-routes';
import { customerSchema } from './master-data-routes';
import { problemTypes, type Problem, type ProblemKind } from './problem';
import { roleMatrix, type StepName, type StepPermission } from '../domain/roles';

/**
 * The OpenAPI 3.1 description of the HTTP API. Request bodies are generated from the zod schemas the
 * routes parse with. Response schemas are written here: those of the deal state are checked by `tsc`
 * against its TypeScript types, and those of table rows list the columns the API sends.
 */

type Schema = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------
// Request bodies: zod schemas converted to JSON Schema 2020-12, the dialect OpenAPI 3.1 uses.
// ---------------------------------------------------------------------------------------------------

/** Pattern of a decimal string such as "1250.00". */
// NOTE: copies DECIMAL_PATTERN of domain/money.ts, which that module does not export. The OpenAPI test
// checks that both accept the same strings.
const decimalPattern = '^-?\\d+(\\.\\d+)?$';

/**
 * Patterns for zod refinements that JSON Schema can express, keyed by the refinement function. The
 * example keeps Swagger UI from showing a random string generated from the pattern.
 */
const refinementPatterns = new Map<unknown, { pattern: string; example: string }>([[isDecimalString, { pattern: decimalPattern, example: '1250.00' }]]);

/** Returns the message a zod refinement reports, such as "must not be negative". */
function refinementMessage(def: core.$ZodCustomDef): string | undefined {
  // A refinement given a message string ignores the issue; one given a function gets no input here.
  const result = def.error?.({ code: 'custom', input: undefined, path: [] } as never);
  if (typeof result === 'string') return result;
  return result?.message;
}

/**
 * Adds what JSON Schema cannot see in zod's `.refine()` checks: a `pattern` where one is known, and the
 * refinement's messages as the `description`, so readers of the document learn the rule.
 */
function describeRefinements(context: { zodSchema: core.$ZodTypes; jsonSchema: core.JSONSchema.BaseSchema }): void {
  const checks = context.zodSchema._zod.def.checks ?? [];
  const rules: string[] = [];
  for (const check of checks) {
    if (check._zod.def.check !== 'custom') continue;
    const def = check._zod.def as core.$ZodCustomDef;
    const known = refinementPatterns.get(def.fn);
    if (known !== undefined && context.jsonSchema.pattern === undefined) {
      context.jsonSchema.pattern = known.pattern;
      context.jsonSchema.examples = [known.example];
      continue;
    }
    const message = refinementMessage(def);
    if (message) rules.push(`${message.charAt(0).toUpperCase()}${message.slice(1)}.`);
  }
  if (rules.length > 0) {
    context.jsonSchema.description = [context.jsonSchema.description, ...rules].filter(Boolean).join(' ');
  }
}

/**
 * Converts a zod schema to a JSON Schema for a request body (`io: 'input'`, what a client sends).
 * NOTE: zod trims strings before their length checks, so "   " passes `minLength: 1` here while the API
 * rejects it. Refinements without a known pattern, such as "must not be negative", are only described.
 */
export function toRequestSchema(schema: z.ZodType): Schema {
  const converted = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', override: describeRefinements });
  const { $schema: _dialect, ...jsonSchema } = converted as Schema;
  // A "#/$defs/..." reference would resolve against the OpenAPI document's root, not this schema.
  if ('$defs' in jsonSchema) throw new Error('zod produced $defs for a request schema; inline or name the reused part');
  return jsonSchema;
}

/** Same as toRequestSchema, for the values the API sends back (`io: 'output'`). */
function toResponseSchema(schema: z.ZodType): Schema {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' }) as Schema;
  return jsonSchema;
}

// ---------------------------------------------------------------------------------------------------
// Response schemas, written by hand because DealState and the table rows are TypeScript types.
// ---------------------------------------------------------------------------------------------------

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const string: Schema = { type: 'string' };
const integer: Schema = { type: 'integer' };
const boolean: Schema = { type: 'boolean' };
const dateTime: Schema = { type: 'string', format: 'date-time' };
const date: Schema = { type: 'string', format: 'date' };
const decimal: Schema = { type: 'string', pattern: decimalPattern, description: 'Decimal string.', examples: ['59948.46'] };
const percent: Schema = { ...decimal, description: 'Percentage as a decimal string.', examples: ['7.25'] };
const arrayOf = (items: Schema): Schema => ({ type: 'array', items });
const nullable = (schema: Schema): Schema => ({ ...schema, type: [schema.type, 'null'] });

interface Field {
  schema: Schema;
  optional: boolean;
}

/** One entry per property of T, marked optional exactly where T's property is optional. */
type FieldsOf<T> = { [K in keyof T]-?: { schema: Schema; optional: {} extends Pick<T, K> ? true : false } };

const required = (schema: Schema) => ({ schema, optional: false as const });
const optional = (schema: Schema) => ({ schema, optional: true as const });

/** Builds an object schema whose properties and `required` list `tsc` checks against the type T. */
function objectSchema<T>(description: string, fields: FieldsOf<T>): Schema {
  const entries = Object.entries(fields) as [string, Field][];
  return {
    type: 'object',
    description,
    properties: Object.fromEntries(entries.map(([name, field]) => [name, field.schema])),
    required: entries.filter(([, field]) => !field.optional).map(([name]) => name),
  };
}

/** Builds a string enum from an object with one key per member of the union T, so none is missed. */
function stringEnum<T extends string>(members: Record<T, true>): Schema {
  return { type: 'string', enum: Object.keys(members) };
}

type Shipment = OrderSummary['shipments'][number];
type Outcome = NonNullable<DealState['outcome']>;

type CompensationOf<K extends Compensation['kind']> = Extract<Compensation, { kind: K }>;

/** One component schema per kind of compensation, keyed by `kind`. */
const compensationKinds: Record<Compensation['kind'], { name: string; schema: Schema }> = {
  void_estimate: {
    name: 'CompensationVoidEstimate',
    schema: objectSchema<CompensationOf<'void_estimate'>>('Void the estimate.', {
      kind: required({ type: 'string', const: 'void_estimate' }),
      estimateNumber: required(string),
    }),
  },
  void_order: {
    name: 'CompensationVoidOrder',
    schema: objectSchema<CompensationOf<'void_order'>>('Void the order.', {
      kind: required({ type: 'string', const: 'void_order' }),
      orderNumber: required(string),
    }),
  },
  void_receipt: {
    name: 'CompensationVoidReceipt',
    schema: objectSchema<CompensationOf<'void_receipt'>>('Void the sales receipt.', {
      kind: required({ type: 'string', const: 'void_receipt' }),
      receiptNumber: required(string),
    }),
  },
  release_reservations: {
    name: 'CompensationReleaseReservations',
    schema: objectSchema<CompensationOf<'release_reservations'>>("Release the order's stock reservations.", {
      kind: required({ type: 'string', const: 'release_reservations' }),
      orderNumber: required(string),
    }),
  },
};

const documentTotals = {
  subtotal: required(decimal),
  tax: required(decimal),
  total: required(decimal),
};

/** Schemas of the deal state that every step returns, one per TypeScript type of domain/deal-state.ts. */
const dealSchemas: Record<string, Schema> = {
  Deal: objectSchema<DealState>('The deal as stored in its workflow: phase, documents and timeline.', {
    dealNumber: required(integer),
    workflowId: required(string),
    settings: required(ref('DealSettings')),
    phase: required({ type: 'string', enum: [...phases] }),
    owner: required({ ...string, description: 'User key of the owner; empty until the lead is created.' }),
    qualified: required(boolean),
    customer: optional(ref('CustomerSnapshot')),
    opportunityName: optional(string),
    stage: optional({ type: 'string', enum: [...inputs.pipelineStages] }),
    followUps: required(arrayOf(ref('FollowUp'))),
    estimate: optional(ref('Estimate')),
    order: optional(ref('Order')),
    invoices: required(arrayOf(ref('Invoice'))),
    payments: required(arrayOf(ref('Payment'))),
    outcome: optional(
      objectSchema<Outcome>('How the deal ended.', {
        phase: required({ type: 'string', enum: [...phases] }),
        reason: optional(string),
        at: required(dateTime),
      }),
    ),
    compensations: required(arrayOf(ref('Compensation'))),
    lastStepSeq: required({ ...integer, description: 'Sequence number of the last step started; a step whose activity failed leaves a gap in the timeline.' }),
    timeline: required(arrayOf(ref('TimelineEntry'))),
  }),
  DealSettings: objectSchema<DealSettings>('Company settings the deal was started with.', {
    currency: required({ ...string, pattern: '^[A-Z]{3}$', examples: ['USD'] }),
    timeZone: required(string),
    salesManager: required(string),
    followUpRemindBefore: required({ ...string, description: 'ISO 8601 duration.' }),
    invoicingPolicy: required(stringEnum<DealSettings['invoicingPolicy']>({ ordered: true, shipped: true })),
    dunning: required(
      objectSchema<DunningSettings>('When payment reminders go out.', {
        remindBeforeDays: required(integer),
        overdueDays: required(arrayOf(integer)),
      }),
    ),
  }),
  CustomerSnapshot: objectSchema<CustomerSnapshot>('The customer as it was when the lead was created.', {
    id: required(integer),
    company: required(string),
    contactName: required(string),
    contactEmail: required(string),
    taxRatePercent: required(percent),
    paymentTermsDays: required(integer),
  }),
  FollowUp: objectSchema<FollowUp>('A scheduled call, email, meeting or visit.', {
    seq: required(integer),
    channel: required({ type: 'string', enum: [...inputs.followUpChannels] }),
    subject: required(string),
    owner: required(string),
    dueAt: required(dateTime),
    remindAt: required(dateTime),
    status: required(stringEnum<FollowUp['status']>({ open: true, completed: true, cancelled: true })),
    outcome: optional(string),
    ownerRemindedAt: optional(dateTime),
    managerNotifiedAt: optional(dateTime),
  }),
  Estimate: objectSchema<EstimateSummary>('The estimate with all its revisions, oldest first.', {
    number: required(string),
    revisions: required(arrayOf(ref('EstimateRevision'))),
  }),
  EstimateRevision: objectSchema<EstimateRevision>('One revision of the estimate.', {
    revision: required(integer),
    status: required(
      stringEnum<EstimateRevision['status']>({
        draft: true,
        sent: true,
        changes_requested: true,
        approved: true,
        superseded: true,
        expired: true,
        void: true,
      }),
    ),
    validForDays: required(integer),
    lines: required(arrayOf(ref('PricedLine'))),
    sentAt: optional(dateTime),
    validUntil: optional({ ...date, description: "Last valid day in the company's time zone." }),
    expiresAt: optional(dateTime),
    acceptedBy: optional(string),
    purchaseOrderRef: optional(string),
    ...documentTotals,
  }),
  PricedLine: objectSchema<PricedLine>('A document line with its price, discount and tax.', {
    lineNo: required(integer),
    sku: required(string),
    description: required(string),
    kind: required(stringEnum<PricedLine['kind']>({ goods: true, service: true })),
    quantity: required(integer),
    unitPrice: required(decimal),
    discountPercent: required(percent),
    net: required(decimal),
    tax: required(decimal),
  }),
  Order: objectSchema<OrderSummary>('The sales order made from the approved estimate.', {
    number: required(string),
    status: required(stringEnum<OrderSummary['status']>({ open: true, cancelled: true })),
    shippingStatus: required(stringEnum<OrderSummary['shippingStatus']>({ to_ship: true, partially_shipped: true, shipped: true })),
    estimateRevision: required(integer),
    purchaseOrderRef: optional(string),
    lines: required(arrayOf(ref('OrderLine'))),
    inspections: required(arrayOf(ref('Inspection'))),
    salesReceiptNumber: optional(string),
    shipments: required(arrayOf(ref('Shipment'))),
    ...documentTotals,
  }),
  OrderLine: objectSchema<OrderLine>('An order line with its reserved, shipped and invoiced quantities.', {
    lineNo: required(integer),
    sku: required(string),
    description: required(string),
    kind: required(stringEnum<OrderLine['kind']>({ goods: true, service: true })),
    quantity: required(integer),
    unitPrice: required(decimal),
    discountPercent: required(percent),
    net: required(decimal),
    tax: required(decimal),
    reservedQuantity: required({ ...integer, description: 'Units held in stock and not yet shipped; goods lines only.' }),
    shippedQuantity: required(integer),
    invoicedQuantity: required(integer),
  }),
  Inspection: objectSchema<Inspection>('A QA inspection of the order.', {
    seq: required(integer),
    result: required(stringEnum<Inspection['result']>({ passed: true, failed: true })),
    inspector: required(string),
    checklist: required(arrayOf(string)),
    at: required(dateTime),
  }),
  Shipment: objectSchema<Shipment>('A shipment of some or all reserved units.', {
    number: required(string),
    carrier: required(string),
    trackingNumber: required(string),
    at: required(dateTime),
    lines: required(arrayOf({ type: 'object', properties: { lineNo: integer, quantity: integer }, required: ['lineNo', 'quantity'] })),
  }),
  Invoice: objectSchema<InvoiceSummary>('An invoice with its payments applied.', {
    number: required(string),
    status: required(stringEnum<InvoiceSummary['status']>({ draft: true, sent: true, paid: true })),
    issueDate: required(date),
    dueDate: required(date),
    amountPaid: required(decimal),
    balance: required(decimal),
    overdue: required(boolean),
    sentAt: optional(dateTime),
    remindersSent: required({ ...arrayOf(string), description: 'Dunning levels already sent, such as `due` and `overdue-7`.' }),
    ...documentTotals,
  }),
  Payment: objectSchema<PaymentSummary>('A payment applied to an invoice.', {
    id: required(integer),
    invoiceNumber: required(string),
    amount: required(decimal),
    method: required({ type: 'string', enum: [...inputs.paymentMethods] }),
    reference: required(string),
    receivedAt: required(dateTime),
  }),
  TimelineEntry: objectSchema<TimelineEntry>('One event in the life of the deal.', {
    seq: required(integer),
    at: required(dateTime),
    actor: required(string),
    event: required(string),
    summary: required(string),
    documents: optional(arrayOf(string)),
  }),
  Compensation: {
    description: 'What cancelling the deal must undo for a document created so far.',
    oneOf: Object.values(compensationKinds).map(({ name }) => ref(name)),
    discriminator: {
      propertyName: 'kind',
      mapping: Object.fromEntries(Object.entries(compensationKinds).map(([kind, { name }]) => [kind, ref(name).$ref])),
    },
  },
  ...Object.fromEntries(Object.values(compensationKinds).map(({ name, schema }) => [name, schema])),
};

/** Rows read from PostgreSQL. They list the columns the API sends and allow more. */
const tableSchemas: Record<string, Schema> = {
  DealListItem: {
    type: 'object',
    description: 'A deal row from PostgreSQL, as kept up to date by the workflow.',
    properties: {
      number: integer,
      workflowId: string,
      customerId: nullable(integer),
      owner: nullable(string),
      phase: { type: 'string', enum: [...phases] },
      stage: nullable(string),
      title: nullable(string),
      source: nullable(string),
      estimatedValue: nullable(decimal),
      estimateNumber: nullable(string),
      orderNumber: nullable(string),
      currency: nullable(string),
      total: nullable(decimal),
      outcomeReason: nullable(string),
      createdAt: nullable(dateTime),
      updatedAt: nullable(dateTime),
    },
    required: ['number', 'phase'],
    additionalProperties: true,
  },
  DealList: {
    type: 'object',
    properties: {
      items: arrayOf(ref('DealListItem')),
      nextCursor: { type: ['string', 'null'], description: 'Pass as `after` for the next page; null on the last page.' },
    },
    required: ['items', 'nextCursor'],
  },
  Address: toResponseSchema(customerSchema.shape.billingAddress),
  Customer: {
    type: 'object',
    properties: {
      id: integer,
      company: string,
      contactName: string,
      contactEmail: string,
      contactPhone: nullable(string),
      billingAddress: ref('Address'),
      shippingAddress: ref('Address'),
      taxRatePercent: percent,
      paymentTermsDays: integer,
      createdAt: dateTime,
    },
    required: ['id', 'company'],
    additionalProperties: true,
  },
  Product: {
    type: 'object',
    properties: {
      sku: string,
      name: string,
      kind: { type: 'string', enum: ['goods', 'service'] },
      unitPrice: decimal,
      onHand: { ...nullable(integer), description: 'Units in stock; null for services.' },
      reserved: { ...integer, description: 'Units of `onHand` held for open orders; 0 for services.' },
      weightKg: nullable(decimal),
    },
    required: ['sku'],
    additionalProperties: true,
  },
  User: {
    type: 'object',
    properties: { key: string, name: string, email: string, roles: arrayOf(string) },
    required: ['key'],
    additionalProperties: true,
  },
  StockReceiptResult: {
    type: 'object',
    description: 'Stock of the SKU after the receipt, and the backordered order lines it was handed to.',
    properties: {
      sku: string,
      onHand: integer,
      reserved: integer,
      allocated: arrayOf({
        type: 'object',
        properties: {
          dealNumber: integer,
          orderNumber: string,
          lineNo: integer,
          reservedQuantity: integer,
          backorderedQuantity: integer,
        },
        required: ['dealNumber', 'orderNumber', 'lineNo', 'reservedQuantity', 'backorderedQuantity'],
      }),
    },
    required: ['sku', 'onHand', 'reserved', 'allocated'],
  },
  PaymentNoticeAccepted: {
    type: 'object',
    properties: { accepted: { const: true }, reference: string },
    required: ['accepted', 'reference'],
  },
  Health: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['ok', 'unavailable'] },
      database: ref('HealthProbe'),
      temporal: ref('HealthProbe'),
    },
    required: ['status', 'database', 'temporal'],
  },
  HealthProbe: {
    type: 'object',
    properties: { ok: boolean, error: string },
    required: ['ok'],
  },
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details. `type` is stable per kind of error, so clients can branch on it.',
    properties: {
      type: { type: 'string', format: 'uri-reference', examples: Object.values(problemTypes).map((kind) => kind.uri) },
      title: string,
      status: integer,
      detail: { ...string, description: 'What failed, for people.' },
      errors: arrayOf({
        type: 'object',
        properties: {
          path: { ...string, description: 'Field path such as `lines.0.sku`.' },
          message: string,
        },
        required: ['path', 'message'],
      }),
    },
    required: ['type', 'title', 'status', 'detail'],
  },
};

// ---------------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------------

const tags = [
  { name: 'Deals', description: 'Create, read, list and cancel deals.' },
  { name: 'Leads', description: 'Qualify a lead and convert it to an opportunity.' },
  { name: 'Opportunities', description: 'Follow-ups, pipeline stages, assignment and loss.' },
  { name: 'Estimates', description: 'Estimates, their revisions and the customer decision.' },
  { name: 'Fulfilment', description: 'Order, QA, pick release and shipments.' },
  { name: 'Billing', description: 'Invoices and payments.' },
  { name: 'Master data', description: 'Customers, products and users.' },
  { name: 'Inventory', description: 'Stock receipts.' },
  { name: 'Documents', description: 'PDF downloads of stored documents.' },
  { name: 'Operations', description: 'Health check.' },
] as const;
type Tag = (typeof tags)[number]['name'];

interface StepDoc {
  summary: string;
  tag: Tag;
  description?: string;
}

/** Human names of the step routes, as in the README's step API table, keyed by route path. */
const stepDocs: Record<string, StepDoc> = {
  qualify: { summary: 'Qualify lead', tag: 'Leads' },
  disqualify: { summary: 'Disqualify lead', tag: 'Leads' },
  'convert-to-opportunity': { summary: 'Convert to opportunity', tag: 'Leads' },
  'follow-ups': { summary: 'Schedule follow-up', tag: 'Opportunities', description: 'Give `dueIn` (an ISO 8601 duration) or `dueAt`, not both.' },
  'follow-ups/:seq/complete': { summary: 'Complete follow-up', tag: 'Opportunities' },
  'follow-ups/:seq/cancel': { summary: 'Cancel follow-up', tag: 'Opportunities' },
  stage: { summary: 'Move pipeline stage', tag: 'Opportunities' },
  assign: { summary: 'Assign', tag: 'Opportunities' },
  lost: { summary: 'Mark lost', tag: 'Opportunities' },
  estimate: { summary: 'Create estimate', tag: 'Estimates' },
  'estimate/revise': { summary: 'Revise estimate', tag: 'Estimates' },
  'estimate/send': { summary: 'Send estimate', tag: 'Estimates' },
  'estimate/request-changes': { summary: 'Request changes', tag: 'Estimates' },
  'estimate/approve': { summary: 'Approve estimate', tag: 'Estimates', description: 'Only the latest sent, unexpired revision can be approved.' },
  order: { summary: 'Convert to order', tag: 'Fulfilment', description: 'Reserves stock for goods lines; what is short is backordered.' },
  'qa-inspections': { summary: 'QA inspection', tag: 'Fulfilment' },
  'pick-release': { summary: 'Pick release', tag: 'Fulfilment', description: 'Makes the sales receipt. Covers reserved units only.' },
  shipments: { summary: 'Ship', tag: 'Fulfilment', description: '`lines` is `"all"` for every reserved unit, or a list of `{lineNo, quantity}`.' },
  invoices: { summary: 'Create invoice', tag: 'Billing' },
  'invoices/:invoiceNumber/send': { summary: 'Send invoice', tag: 'Billing' },
  payments: { summary: 'Record payment', tag: 'Billing' },
  cancel: { summary: 'Cancel deal', tag: 'Deals', description: 'Allowed before the first shipment; undoes documents newest first.' },
};

type ActorKind = (typeof stepRoutes)[number]['actor'];

/** Rule for the `actor` of a request body, by the route's kind of actor. */
const actorNotes: Record<ActorKind, string> = {
  user: "The actor is the API key's user. `actor` may be left out; any other value gets 403.",
  customer:
    "The actor is the API key's user, or the literal `customer` when staff record the customer's own decision. `actor` may be left out; any other value gets 403.",
};

const actorDescriptions: Record<ActorKind, string> = {
  user: "Optional. The API key's user; any other value is rejected.",
  customer: "Optional. The API key's user, or `customer` to record the customer's decision; any other value is rejected.",
};

/** Describes who may take a step of the role matrix, and states it as `x-roles` and `x-deal-owner` for tools. */
function permission(step: StepName): { note: string; extensions: Schema } {
  const { roles, owner }: StepPermission = roleMatrix[step];
  const roleList = roles.map((role) => `\`${role}\``).join(', ');
  return {
    note: `Allowed for roles ${roleList}${owner ? ", and for the deal's owner" : ''}.`,
    extensions: { 'x-roles': [...roles], 'x-deal-owner': owner },
  };
}

/** Path parameters other than the deal number, by their Express name. */
const pathParameters: Record<string, Schema> = {
  seq: {
    name: 'seq',
    in: 'path',
    required: true,
    description: 'Number of the follow-up within the deal.',
    schema: { type: 'integer', minimum: 1, maximum: 9_999_999_999 },
  },
  invoiceNumber: {
    name: 'invoiceNumber',
    in: 'path',
    required: true,
    description: 'Invoice number, such as INV-000001.',
    schema: { type: 'string', minLength: 1 },
  },
};

/** Converts an Express path such as `follow-ups/:seq/complete` to OpenAPI's `follow-ups/{seq}/complete`. */
export function toOpenApiPath(expressPath: string): { path: string; parameterNames: string[] } {
  const parameterNames: string[] = [];
  const converted = expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_match, name: string) => {
    parameterNames.push(name);
    return `{${name}}`;
  });
  return { path: converted, parameterNames };
}

const capitalize = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}`;

const jsonContent = (schema: Schema) => ({ 'application/json': { schema } });

// ---------------------------------------------------------------------------------------------------
// Problem responses
// ---------------------------------------------------------------------------------------------------

/** One reason for a problem response, with an example body. */
interface ProblemCase {
  /** When the API sends it, as a sentence. */
  when: string;
  example: Problem;
}

function problemCase(when: string, kind: ProblemKind, detail: string, errors?: Problem['errors']): ProblemCase {
  const { uri, title, status } = problemTypes[kind];
  return { when, example: { type: uri, title, status, detail, ...(errors ? { errors } : {}) } };
}

/** Cases behind each response built by problemResponse, so a later case can be added to it. */
const casesOfResponse = new WeakMap<Schema, ProblemCase[]>();

/** Builds an `application/problem+json` response from the cases that share its status code. */
function problemResponse(...cases: ProblemCase[]): Schema {
  const response: Schema = {
    description: cases.map(({ when, example }) => `${when} Problem type \`${example.type}\`.`).join('\n\n'),
    content: {
      'application/problem+json': {
        schema: ref('Problem'),
        examples: Object.fromEntries(cases.map(({ example }) => [example.type.replace('/problems/', ''), { summary: example.title, value: example }])),
      },
    },
  };
  casesOfResponse.set(response, cases);
  return response;
}

/** Returns the response with one more problem case, or a new response when there was none. */
function withProblemCase(response: Schema | undefined, added: ProblemCase): Schema {
  const cases = response ? casesOfResponse.get(response) : [];
  if (!cases) throw new Error(`response "${String(response?.description)}" was not built by problemResponse`);
  return problemResponse(...cases, added);
}

const problemCases = {
  validation: problemCase(
    'Invalid body, query, path parameter or header; `errors` names each field.',
    'validation',
    'invalid request body: amount must be a decimal string such as "1250.00"',
    [{ path: 'amount', message: 'must be a decimal string such as "1250.00"' }],
  ),
  unauthenticated: problemCase(
    'No API key, or an unknown or revoked one.',
    'unauthenticated',
    'missing API key: send it as "Authorization: Bearer <key>" or in X-Api-Key',
  ),
  forbidden: problemCase(
    "The key's user may not take this step, or the body names another actor.",
    'forbidden',
    'payments needs role finance or admin; user sofia has sales_rep',
  ),
  forbiddenRole: problemCase("The key's user does not have a role that may send this request.", 'forbidden', 'create customer needs role sales_rep or sales_manager or admin; user fin has finance'),
  dealNotFound: problemCase('No deal has this number.', 'notFound', 'deal 42 not found'),
  stepRejected: problemCase(
    'The step is not allowed in the current phase, or the deal has ended.',
    'stepRejected',
    'deal 42 has ended as paid; no further steps are allowed',
  ),
  notJson: problemCase('The request has a body that is not `application/json`.', 'unsupportedMediaType', 'request body must be application/json, not text/plain'),
  unknownReference: problemCase('A user or SKU named in the body does not exist.', 'unprocessable', 'lines.0.sku: unknown SKU "GM-XX-1"', [
    { path: 'lines.0.sku', message: 'unknown SKU "GM-XX-1"' },
  ]),
  // The cases below are sent by api/security.ts and api/idempotency.ts, whose types are not in problemTypes.
  rateLimited: {
    when: 'Too many requests from this address got 401 recently. `Retry-After` gives the seconds to wait.',
    example: {
      type: '/problems/rate-limited',
      title: 'Too many requests',
      status: 429,
      detail: 'too many failed authentications from this address: 20 within 15 minute(s); retry after 840 seconds',
    },
  },
  idempotencyKeyInProgress: {
    when: 'A request with the same `Idempotency-Key` is still running.',
    example: {
      type: '/problems/idempotency-key-in-progress',
      title: 'Idempotency key in progress',
      status: 409,
      detail: 'a request with Idempotency-Key "pay-INV-000001-1" to POST /deals/42/payments is still in progress; retry after it completes',
    },
  },
  idempotencyKeyReused: {
    when: 'The `Idempotency-Key` was already used for a different request.',
    example: {
      type: '/problems/idempotency-key-reused',
      title: 'Idempotency key reused',
      status: 422,
      detail: 'Idempotency-Key "pay-INV-000001-1" was already used for a different request to POST /deals/42/payments; send a new key for a new request',
    },
  },
} satisfies Record<string, ProblemCase>;

// ---------------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------------

/**
 * Returns the request schema with `actor` optional, because the API sets it from the API key before it
 * parses the body.
 */
function withActorFromApiKey(schema: Schema, actor: ActorKind): Schema {
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (!properties?.actor) return schema;
  return {
    ...schema,
    properties: { ...properties, actor: { ...properties.actor, description: actorDescriptions[actor] } },
    required: ((schema.required as string[] | undefined) ?? []).filter((name) => name !== 'actor'),
  };
}

/** Collects each request schema once as a named component; operations with the same zod schema share it. */
class RequestSchemas {
  readonly components: Record<string, Schema> = {};
  private readonly names = new Map<z.ZodType, { name: string; actor?: ActorKind }>();

  body(name: string, schema: z.ZodType, actor?: ActorKind): Schema {
    const known = this.names.get(schema);
    if (known && known.actor !== actor) throw new Error(`request schema ${known.name} is used with two kinds of actor`);
    if (!known) {
      if (this.components[name]) throw new Error(`two request schemas are both named ${name}`);
      const jsonSchema = toRequestSchema(schema);
      this.components[name] = actor ? withActorFromApiKey(jsonSchema, actor) : jsonSchema;
      this.names.set(schema, { name, actor });
    }
    return { required: true, content: jsonContent(ref(known?.name ?? name)) };
  }
}

const dealNumberParameter = { $ref: '#/components/parameters/DealNumber' };

/** Builds the POST operations of the deal steps in `stepRoutes`, keyed by OpenAPI path. */
function stepOperations(requests: RequestSchemas): Record<string, Schema> {
  const paths: Record<string, Schema> = {};
  for (const route of stepRoutes) {
    const doc = stepDocs[route.path];
    if (!doc) throw new Error(`step route "${route.path}" has no summary in stepDocs of api/openapi.ts`);
    const { path: openApiPath, parameterNames } = toOpenApiPath(route.path);
    const parameters = parameterNames.map((name) => {
      const parameter = pathParameters[name];
      if (!parameter) throw new Error(`path parameter "${name}" of step route "${route.path}" is not described in api/openapi.ts`);
      return parameter;
    });
    const operationId = route.update.name;
    const { note, extensions } = permission(route.path as StepName);
    paths[`/deals/{number}/${openApiPath}`] = {
      post: {
        operationId,
        summary: doc.summary,
        description: [doc.description, note, actorNotes[route.actor], 'Returns the deal as stored after the step.'].filter(Boolean).join('\n\n'),
        tags: [doc.tag],
        'x-actor': route.actor,
        ...extensions,
        parameters: [dealNumberParameter, ...parameters],
        requestBody: requests.body(`${capitalize(operationId)}Request`, route.schema, route.actor),
        responses: {
          200: { description: 'The deal after the step.', content: jsonContent(ref('Deal')) },
          400: problemResponse(problemCases.validation),
          403: problemResponse(problemCases.forbidden),
          404: problemResponse(problemCases.dealNotFound),
          409: problemResponse(problemCases.stepRejected),
          // Only steps that check references (a user to assign to, the SKUs of estimate lines) get 422.
          ...(route.check ? { 422: problemResponse(problemCases.unknownReference) } : {}),
        },
      },
    };
  }
  return paths;
}

const limitParameter: Schema = { name: 'limit', in: 'query', description: 'Page size.', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } };
const customerIdParameter: Schema = { name: 'customerId', in: 'query', schema: { type: 'integer', exclusiveMinimum: 0 } };

/** Query parameters of `GET /deals`. */
// NOTE: listQuerySchema in api/deal-routes.ts is not exported, so these repeat its rules by hand.
// Exporting it would let them be generated like the request bodies.
const listDealsParameters: Schema[] = [
  { name: 'phase', in: 'query', schema: { type: 'string', enum: [...phases] } },
  {
    name: 'q',
    in: 'query',
    description: 'Case-insensitive text in the title or customer name, 2 to 100 characters after trimming.',
    schema: { type: 'string', minLength: 2, maxLength: 100 },
  },
  { name: 'owner', in: 'query', description: 'User key of the owner.', schema: { type: 'string', minLength: 1 } },
  customerIdParameter,
  {
    name: 'after',
    in: 'query',
    description: 'Deal number after which the page starts: `nextCursor` of the previous page.',
    schema: { type: 'integer', exclusiveMinimum: 0 },
  },
  limitParameter,
];

const itemsOf = (schemaName: string): Schema => ({
  type: 'object',
  properties: { items: arrayOf(ref(schemaName)) },
  required: ['items'],
});

const createdResponse = (description: string, location: string, schemaName: string): Schema => ({
  description,
  headers: { Location: { description: `URL of the new resource, \`${location}\`.`, schema: string } },
  content: jsonContent(ref(schemaName)),
});

/** Builds the deal operations outside the steps: create, read, list and the payment notice signal. */
function dealOperations(requests: RequestSchemas): Record<string, Schema> {
  const createLead = permission('create lead');
  const paymentNotice = permission('payment-notices');
  return {
    '/deals': {
      post: {
        operationId: 'createLead',
        summary: 'Create lead',
        description: [`Starts the deal's workflow with its lead.`, createLead.note, actorNotes.user].join('\n\n'),
        tags: ['Deals'],
        'x-actor': 'user',
        ...createLead.extensions,
        requestBody: requests.body('CreateLeadRequest', inputs.createLeadSchema, 'user'),
        responses: {
          201: createdResponse('The new deal.', '/deals/{number}', 'Deal'),
          400: problemResponse(problemCases.validation),
          403: problemResponse(problemCases.forbidden),
          409: problemResponse(problemCases.stepRejected),
          422: problemResponse(
            problemCase('No customer has `customerId`.', 'unprocessable', 'customerId: customer 99 not found', [
              { path: 'customerId', message: 'customer 99 not found' },
            ]),
          ),
        },
      },
      get: {
        operationId: 'listDeals',
        summary: 'List deals',
        description: 'Reads deals from PostgreSQL, newest first.',
        tags: ['Deals'],
        parameters: listDealsParameters,
        responses: {
          200: { description: 'One page of deals.', content: jsonContent(ref('DealList')) },
          400: problemResponse(problemCases.validation),
        },
      },
    },
    '/deals/{number}': {
      get: {
        operationId: 'getDeal',
        summary: 'Get deal',
        description: 'Reads the deal from its workflow.',
        tags: ['Deals'],
        parameters: [dealNumberParameter],
        responses: {
          200: { description: 'The deal.', content: jsonContent(ref('Deal')) },
          400: problemResponse(problemCases.validation),
          404: problemResponse(problemCases.dealNotFound),
        },
      },
    },
    '/deals/{number}/payment-notices': {
      post: {
        operationId: 'sendPaymentNotice',
        summary: 'Bank payment notice',
        description: [
          'Sends the payment to the deal as a signal and returns before the deal applies it. A repeated reference is ignored.',
          paymentNotice.note,
          actorNotes.user,
        ].join('\n\n'),
        tags: ['Billing'],
        'x-actor': 'user',
        ...paymentNotice.extensions,
        parameters: [dealNumberParameter],
        requestBody: requests.body('RecordPaymentRequest', inputs.paymentSchema, 'user'),
        responses: {
          202: { description: 'The notice was delivered to the deal.', content: jsonContent(ref('PaymentNoticeAccepted')) },
          400: problemResponse(problemCases.validation),
          403: problemResponse(problemCases.forbidden),
          404: problemResponse(problemCases.dealNotFound),
          409: problemResponse(problemCases.stepRejected),
        },
      },
    },
  };
}

/** Builds the operations on customers, products, users and stock. */
function masterDataOperations(requests: RequestSchemas): Record<string, Schema> {
  const createCustomer = permission('create customer');
  const stockReceipt = permission('inventory receipt');
  const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1, maximum: 9_999_999_999 } };
  return {
    '/customers': {
      post: {
        operationId: 'createCustomer',
        summary: 'Create customer',
        description: createCustomer.note,
        tags: ['Master data'],
        ...createCustomer.extensions,
        requestBody: requests.body('CreateCustomerRequest', customerSchema),
        responses: {
          201: createdResponse('The new customer.', '/customers/{id}', 'Customer'),
          400: problemResponse(problemCases.validation),
          403: problemResponse(problemCases.forbiddenRole),
          409: problemResponse(
            problemCase('A customer with this company name already exists.', 'conflict', 'customer "Northfield Fabrication Ltd" already exists with id 1'),
          ),
        },
      },
      get: {
        operationId: 'listCustomers',
        summary: 'List customers',
        tags: ['Master data'],
        responses: { 200: { description: 'All customers by id.', content: jsonContent(itemsOf('Customer')) } },
      },
    },
    '/customers/{id}': {
      get: {
        operationId: 'getCustomer',
        summary: 'Get customer',
        tags: ['Master data'],
        parameters: [idParameter],
        responses: {
          200: { description: 'The customer.', content: jsonContent(ref('Customer')) },
          400: problemResponse(problemCases.validation),
          404: problemResponse(problemCase('No customer has this id.', 'notFound', 'customer 7 not found')),
        },
      },
    },
    '/products': {
      get: {
        operationId: 'listProducts',
        summary: 'List products',
        tags: ['Master data'],
        responses: { 200: { description: 'All products by SKU.', content: jsonContent(itemsOf('Product')) } },
      },
    },
    '/users': {
      get: {
        operationId: 'listUsers',
        summary: 'List users',
        tags: ['Master data'],
        responses: { 200: { description: 'All users by key.', content: jsonContent(itemsOf('User')) } },
      },
    },
    '/inventory/receipts': {
      post: {
        operationId: 'recordStockReceipt',
        summary: 'Stock receipt',
        description: ['Adds goods to stock and hands them to backordered orders, oldest first.', stockReceipt.note, actorNotes.user].join('\n\n'),
        tags: ['Inventory'],
        'x-actor': 'user',
        ...stockReceipt.extensions,
        requestBody: requests.body('RecordStockReceiptRequest', inputs.stockReceiptSchema, 'user'),
        responses: {
          201: { description: 'The receipt was recorded.', content: jsonContent(ref('StockReceiptResult')) },
          400: problemResponse(problemCases.validation),
          403: problemResponse(problemCases.forbidden),
          409: problemResponse(
            problemCase('A receipt with this reference is already recorded.', 'conflict', 'stock receipt GR-1001 is already recorded (5 × GM-HP-150)'),
          ),
          422: problemResponse(
            problemCase('The SKU does not exist or is a service.', 'unprocessable', 'sku: product "GM-XX-1" not found', [{ path: 'sku', message: 'not found' }]),
          ),
        },
      },
    },
  };
}

/** Builds the invoice list and batch invoicing operations of api/invoice-routes.ts. */
// NOTE: the query and body schemas of api/invoice-routes.ts are not exported, so these repeat their
// rules by hand. Exporting them would let them be generated like the step bodies.
function invoiceOperations(): Record<string, Schema> {
  const batch = permission('invoices');
  return {
    '/invoices': {
      get: {
        operationId: 'listInvoices',
        summary: 'List invoices',
        description: 'Reads invoices from PostgreSQL, newest first, with the amount paid and the balance.',
        tags: ['Billing'],
        parameters: [
          {
            name: 'status',
            in: 'query',
            description: "`open` is sent and not yet due; `overdue` is sent and past its due date in the company's time zone.",
            schema: { type: 'string', enum: ['draft', 'open', 'overdue', 'paid'] },
          },
          customerIdParameter,
          {
            name: 'after',
            in: 'query',
            description: 'Invoice number after which the page starts: `nextCursor` of the previous page.',
            schema: { type: 'string', pattern: '^INV-\\d{6}$' },
          },
          limitParameter,
        ],
        responses: {
          200: { description: 'One page of invoices.', content: jsonContent(ref('InvoiceList')) },
          400: problemResponse(problemCases.validation),
        },
      },
    },
    '/invoicing/batch': {
      post: {
        operationId: 'invoiceShippedOrders',
        summary: 'Batch invoicing',
        description: [
          'Invoices every fully shipped order that still has quantities to invoice, and reports each deal as `invoiced`, ' +
            '`skipped` or `failed`. A failed deal does not stop the batch, and running it again invoices nothing twice.',
          batch.note,
        ].join('\n\n'),
        tags: ['Billing'],
        ...batch.extensions,
        requestBody: { required: false, content: jsonContent(ref('BatchInvoicingRequest')) },
        responses: {
          200: { description: 'The result of each deal.', content: jsonContent(ref('BatchInvoicingResult')) },
          400: problemResponse(problemCases.validation),
          403: problemResponse(problemCases.forbiddenRole),
        },
      },
    },
  };
}

/** Builds the PDF downloads of api/document-routes.ts. */
function documentOperations(): Record<string, Schema> {
  const numberParameter = (documentName: string, example: string): Schema => ({
    name: 'number',
    in: 'path',
    required: true,
    description: `${documentName} number, such as ${example}.`,
    schema: { type: 'string', pattern: '^[A-Z]{2,3}-\\d{6}$' },
  });
  const pdfOperation = (operationId: string, summary: string, parameters: Schema[]): Schema => ({
    get: {
      operationId,
      summary,
      description: 'Renders the stored document as a PDF on each request.',
      tags: ['Documents'],
      parameters,
      responses: {
        200: { description: 'The PDF, shown inline.', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
        400: problemResponse(problemCases.validation),
        404: problemResponse(problemCase('No such document.', 'notFound', 'invoice INV-000099 not found')),
      },
    },
  });
  return {
    '/documents/estimates/{number}/revisions/{revision}': pdfOperation('getEstimatePdf', 'Estimate PDF', [
      numberParameter('Estimate', 'EST-000001'),
      { name: 'revision', in: 'path', required: true, schema: { type: 'integer', minimum: 1, maximum: 9_999_999_999 } },
    ]),
    '/documents/orders/{number}': pdfOperation('getOrderConfirmationPdf', 'Order confirmation PDF', [numberParameter('Order', 'SO-000001')]),
    '/documents/receipts/{number}': pdfOperation('getSalesReceiptPdf', 'Sales receipt PDF', [numberParameter('Sales receipt', 'SR-000001')]),
    '/documents/invoices/{number}': pdfOperation('getInvoicePdf', 'Invoice PDF', [numberParameter('Invoice', 'INV-000001')]),
    '/documents/payments/{id}': pdfOperation('getPaymentReceiptPdf', 'Payment receipt PDF', [
      { name: 'id', in: 'path', required: true, description: 'Payment id.', schema: { type: 'integer', minimum: 1, maximum: 9_999_999_999 } },
    ]),
  };
}

/** Builds GET /health, the one operation that needs no API key. */
function healthOperations(): Record<string, Schema> {
  return {
    '/health': {
      get: {
        operationId: 'getHealth',
        summary: 'Health check',
        description: 'Whether PostgreSQL and Temporal respond. Needs no API key.',
        tags: ['Operations'],
        security: [],
        responses: {
          200: { description: 'Both respond.', content: jsonContent(ref('Health')) },
          503: { description: 'PostgreSQL or Temporal does not respond.', content: jsonContent(ref('Health')) },
        },
      },
    },
  };
}

/**
 * Adds what the middleware in api/app.ts does to every operation. Where an API key is needed, that is
 * 401 and 429. Every POST also gets the `Idempotency-Key` header, 415 for a body that is not JSON, and
 * the 409 and 422 of the idempotency key checks.
 */
function addMiddlewareResponses(paths: Record<string, Record<string, Schema>>): void {
  for (const operations of Object.values(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const responses = operation.responses as Record<string, Schema>;
      if (!Array.isArray(operation.security) || operation.security.length > 0) {
        responses[401] = problemResponse(problemCases.unauthenticated);
        responses[429] = {
          ...problemResponse(problemCases.rateLimited),
          headers: { 'Retry-After': { description: 'Seconds until requests from this address are accepted again.', schema: integer } },
        };
      }
      if (method !== 'post') continue;
      operation.parameters = [...((operation.parameters as Schema[] | undefined) ?? []), { $ref: '#/components/parameters/IdempotencyKey' }];
      responses[415] = problemResponse(problemCases.notJson);
      responses[409] = withProblemCase(responses[409], problemCases.idempotencyKeyInProgress);
      responses[422] = withProblemCase(responses[422], problemCases.idempotencyKeyReused);
    }
  }
}

/** Request and response schemas of api/invoice-routes.ts. */
const invoiceSchemas: Record<string, Schema> = {
  InvoiceListItem: {
    type: 'object',
    properties: {
      number: string,
      dealNumber: integer,
      orderNumber: string,
      customerId: integer,
      customerName: string,
      issueDate: date,
      dueDate: date,
      currency: string,
      total: decimal,
      amountPaid: decimal,
      balance: decimal,
      status: { type: 'string', enum: ['draft', 'open', 'overdue', 'paid'] },
    },
    required: ['number', 'dealNumber', 'orderNumber', 'customerId', 'issueDate', 'dueDate', 'currency', 'total', 'amountPaid', 'balance', 'status'],
  },
  InvoiceList: {
    type: 'object',
    properties: {
      items: arrayOf(ref('InvoiceListItem')),
      nextCursor: { type: ['string', 'null'], description: 'Pass as `after` for the next page; null on the last page.' },
    },
    required: ['items', 'nextCursor'],
  },
  BatchInvoicingRequest: {
    type: 'object',
    description: 'Filters of the batch; without them every fully shipped order is a candidate.',
    properties: {
      customerId: { type: 'integer', exclusiveMinimum: 0 },
      shippedFrom: { ...date, description: 'First day of the last shipment, inclusive.' },
      shippedTo: { ...date, description: 'Last day of the last shipment, inclusive; not before `shippedFrom`.' },
    },
  },
  BatchInvoicingResult: {
    type: 'object',
    properties: {
      invoiced: integer,
      skipped: integer,
      failed: integer,
      results: arrayOf({
        type: 'object',
        properties: {
          dealNumber: integer,
          orderNumber: string,
          result: { type: 'string', enum: ['invoiced', 'skipped', 'failed'] },
          invoiceNumber: string,
          total: decimal,
          reason: { ...string, description: 'Why the deal was skipped or failed.' },
        },
        required: ['dealNumber', 'orderNumber', 'result'],
      }),
    },
    required: ['invoiced', 'skipped', 'failed', 'results'],
  },
};

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error('package.json has no "version" string');
  return manifest.version;
}

/** Builds the OpenAPI 3.1.0 document of the HTTP API. */
export function buildOpenApiDocument(): object {
  const requests = new RequestSchemas();
  const paths: Record<string, Record<string, Schema>> = {
    ...dealOperations(requests),
    ...stepOperations(requests),
    ...invoiceOperations(),
    ...masterDataOperations(requests),
    ...documentOperations(),
    ...healthOperations(),
  } as Record<string, Record<string, Schema>>;
  addMiddlewareResponses(paths);

  return {
    openapi: '3.1.0',
    info: {
      title: 'Order-to-cash API',
      version: packageVersion(),
      description:
        'Each deal, from lead to payment, is one durable Temporal workflow. Every request except `GET /health` ' +
        "carries a user's API key, as `Authorization: Bearer <key>` or in `X-Api-Key`, and the key's user is the " +
        'actor of each step. Every step is a `POST` under `/deals/{number}/` and returns the deal as stored after ' +
        'the step. Errors are `application/problem+json` (RFC 9457). Amounts are decimal strings.\n\n' +
        'Every response carries `X-Request-Id`: the caller\'s own value when it is 1 to 100 characters of ' +
        '`A-Z a-z 0-9 . _ : @ + = / -`, else a new UUID. The same id is in the server log.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    tags,
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: "A user's API key, as printed by `npm run create-user`." },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'The same API key, in a header of its own.' },
      },
      parameters: {
        DealNumber: {
          name: 'number',
          in: 'path',
          required: true,
          description: 'Deal number.',
          schema: { type: 'integer', minimum: 1, maximum: 9_999_999_999 },
        },
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Makes the POST safe to retry. A repeat with the same key and the same request gets the first response again, ' +
            'with `Idempotent-Replayed: true`, and the step does not run twice. Responses 401, 403, 429 and 5xx are not ' +
            'stored, so a retry with the same key runs the request again. Keys are separate per user.',
          schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x20-\\x7E]+$' },
        },
      },
      schemas: { ...dealSchemas, ...tableSchemas, ...invoiceSchemas, ...requests.components },
    },
  };
}
