import type { DealState } from '../domain/deal-state';

/**
 * Drives a scenario file (such as scenarios/glocial-machineries.json) through the HTTP API, one request
 * per step. The demo and the end-to-end test both use it.
 * NOTE: steps run back to back and the `at` offsets of the file are not waited for. Timers that would
 * fire between steps in real time (expiry, dunning) therefore do not fire during a run.
 */

export interface Scenario {
  company: { currency: string };
  customer: {
    company: string;
    contact: { name: string; email: string; phone?: string };
    billingAddress: Record<string, string>;
    shippingAddress: Record<string, string>;
    taxRatePercent: string;
    paymentTermsDays: number;
  };
  steps: { at: string; actor: string; event: string; data: Record<string, unknown> }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { detail?: string; type?: string },
    request: string,
  ) {
    super(`${request} answered ${status}: ${body.detail ?? JSON.stringify(body)}`);
  }
}

/** Creates a small JSON client for the API that authenticates every request with one API key. */
export function createApiClient(baseUrl: string, apiKey: string) {
  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : {};
    if (!response.ok) throw new ApiError(response.status, parsed, `${method} ${path}`);
    return parsed as T;
  }
  return { get: <T>(path: string) => call<T>('GET', path), post: <T>(path: string, body: unknown) => call<T>('POST', path, body) };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/**
 * API clients per scenario actor. Until customers act through the portal, a customer's decision is
 * recorded by the user who sent the estimate, with the actor `customer`.
 */
export function apiClientsFor(baseUrl: string, keys: Map<string, string>) {
  return (actor: string, customerProxy: string): ApiClient => {
    const user = actor === 'customer' ? customerProxy : actor;
    const apiKey = keys.get(user);
    if (!apiKey) throw new Error(`no API key for scenario user "${user}"`);
    return createApiClient(baseUrl, apiKey);
  };
}

/** Creates the scenario's customer, or finds it when an earlier run created it. */
async function ensureCustomer(api: ApiClient, scenario: Scenario): Promise<number> {
  const { items } = await api.get<{ items: { id: number; company: string }[] }>('/customers');
  const existing = items.find((customer) => customer.company === scenario.customer.company);
  if (existing) return existing.id;
  const created = await api.post<{ id: number }>('/customers', scenario.customer);
  return created.id;
}

/** Returns the request (path and body) for one scenario step, given the deal's current state. */
function requestFor(step: Scenario['steps'][number], deal: DealState): { path: string; body: Record<string, unknown> } {
  const base = `/deals/${deal.dealNumber}`;
  const body = { actor: step.actor, ...step.data };
  const openFollowUp = () => deal.followUps.filter((followUp) => followUp.status === 'open').at(-1)!;
  const openInvoice = () => deal.invoices.find((invoice) => invoice.status !== 'paid')!;
  switch (step.event) {
    case 'lead.qualified':
      return { path: `${base}/qualify`, body };
    case 'lead.converted_to_opportunity':
      return { path: `${base}/convert-to-opportunity`, body };
    case 'followup.scheduled':
      return { path: `${base}/follow-ups`, body };
    case 'followup.completed':
      return { path: `${base}/follow-ups/${openFollowUp().seq}/complete`, body };
    case 'opportunity.stage_moved':
      return { path: `${base}/stage`, body };
    case 'opportunity.assigned':
      return { path: `${base}/assign`, body };
    case 'estimate.created':
      return { path: `${base}/estimate`, body };
    case 'estimate.revised':
      return { path: `${base}/estimate/revise`, body };
    case 'estimate.sent':
      return { path: `${base}/estimate/send`, body };
    case 'estimate.change_requested':
      return { path: `${base}/estimate/request-changes`, body };
    case 'estimate.approved':
      return { path: `${base}/estimate/approve`, body };
    case 'estimate.converted_to_order':
      return { path: `${base}/order`, body };
    case 'qa.passed':
      return { path: `${base}/qa-inspections`, body: { ...body, result: 'passed' } };
    case 'qa.failed':
      return { path: `${base}/qa-inspections`, body: { ...body, result: 'failed' } };
    case 'order.pick_released':
      return { path: `${base}/pick-release`, body };
    case 'order.shipped':
      return { path: `${base}/shipments`, body };
    case 'invoice.created':
      return { path: `${base}/invoices`, body };
    case 'invoice.sent':
      return { path: `${base}/invoices/${openInvoice().number}/send`, body };
    case 'payment.recorded': {
      const invoice = openInvoice();
      const amount = step.data.amount === 'balance' ? invoice.balance : step.data.amount;
      return { path: `${base}/payments`, body: { ...body, invoiceNumber: invoice.number, amount } };
    }
    default:
      throw new Error(`scenario step ${step.event} has no API mapping`);
  }
}

/** Runs every step of the scenario as a new deal and returns the deal as it ended. */
export async function runScenario(
  clientFor: (actor: string, customerProxy: string) => ApiClient,
  scenario: Scenario,
  progress: (message: string) => void = () => undefined,
): Promise<DealState> {
  const [first, ...rest] = scenario.steps;
  if (first.event !== 'lead.created') throw new Error(`scenario must start with lead.created, not ${first.event}`);
  const customerId = await ensureCustomer(clientFor(first.actor, first.actor), scenario);
  let deal = await clientFor(first.actor, first.actor).post<DealState>('/deals', { actor: first.actor, customerId, ...first.data });
  progress(`${first.event.padEnd(30)} deal ${deal.dealNumber}, phase ${deal.phase}`);
  let estimateSender = first.actor;
  for (const step of rest) {
    const { path, body } = requestFor(step, deal);
    if (step.event === 'estimate.sent') estimateSender = step.actor;
    deal = await clientFor(step.actor, estimateSender).post<DealState>(path, body);
    const latest = deal.timeline.at(-1);
    progress(`${step.event.padEnd(30)} ${deal.phase.padEnd(12)} ${latest?.summary ?? ''}`);
  }
  return deal;
}
