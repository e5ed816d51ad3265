import { ApplicationFailure, condition, log, patched, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { DealActivities } from '../activities';
import type { Recipient } from '../activities/email';
import type { EmailContent } from '../activities/email-templates';
import type { DocumentRef } from '../models/document-loader';
import type { StepRecord } from '../activities/step-record';
import type { DealState, Phase, TimelineEntry } from '../domain/deal-state';
import {
  customerIdKey,
  customerNameKey,
  dealOwnerKey,
  dealPhaseKey,
  invoiceNumbersKey,
  orderNumberKey,
} from './search-attributes';

/** Failure type of a step that the state machine rejects; the API maps it to 409 Conflict. */
export const STEP_REJECTED = 'StepRejected';

const documentActivities = proxyActivities<DealActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

const emailActivities = proxyActivities<Pick<DealActivities, 'sendEmail'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 8 },
});

/**
 * Patch marker for sending emails after the step's Update has returned. Histories recorded before it
 * awaited each email inside the Update, and replay keeps doing so for them.
 */
export const EMAILS_AFTER_UPDATE_PATCH = 'emails-after-update';

/**
 * Patch marker for the step lock that lets one waiter in at a time. Before it, two steps released in the
 * same workflow activation could both run. Histories recorded then replay with the old wait.
 */
export const STEP_LOCK_PATCH = 'exclusive-step-lock';

export function rejectStep(reason: string): ApplicationFailure {
  return ApplicationFailure.create({ type: STEP_REJECTED, message: reason, nonRetryable: true });
}

/**
 * The deal's state and the helpers every step uses: a lock that runs one step at a time, step keys
 * for idempotent activities, and the timeline.
 */
export class DealContext {
  readonly activities = documentActivities;
  private busy = false;
  private waiting = 0;
  private emailsInFlight = 0;
  private publishedSearchAttributes = '';

  constructor(public readonly state: DealState) {}

  /**
   * Runs a step alone: waits for the running step to finish, checks the rule again against the state it
   * left, then acts. The update validator already checked, but a step queued behind another may find
   * the deal changed, and then it fails with the reason and changes nothing.
   */
  async exclusive<T>(check: () => string | undefined, body: () => Promise<T>): Promise<T> {
    this.waiting += 1;
    if (patched(STEP_LOCK_PATCH)) {
      // The SDK resolves every waiting condition whose function is true in one pass, before any of them
      // resumes, so each waiter checks again and the first to resume takes the lock.
      while (this.busy) await condition(() => !this.busy);
    } else {
      await condition(() => !this.busy);
    }
    this.waiting -= 1;
    this.busy = true;
    try {
      const reason = check();
      if (reason) throw rejectStep(reason);
      return await body();
    } finally {
      this.publishSearchAttributes();
      this.busy = false;
    }
  }

  /** Returns whether no step is running or waiting for the lock and no email is still being sent. */
  isIdle(): boolean {
    return !this.busy && this.waiting === 0 && this.emailsInFlight === 0;
  }

  /** Builds the step record (timeline entry, idempotency key, deal row changes) for the next step. */
  nextStep(
    actor: string,
    event: string,
    summary: string,
    options: { phase?: Phase; data?: Record<string, unknown>; dealPatch?: StepRecord['dealPatch'] } = {},
  ): StepRecord {
    // The counter lives in the state, so a run that continued as new never reuses a step key.
    const seq = (this.state.lastStepSeq += 1);
    return {
      key: `${workflowInfo().workflowId}/step-${seq}`,
      dealNumber: this.state.dealNumber,
      entry: { seq, at: new Date().toISOString(), actor, event, summary, data: options.data },
      phase: options.phase ?? this.state.phase,
      dealPatch: options.dealPatch,
    };
  }

  /** Applies a recorded step to the workflow state: the phase and the stored timeline entry. */
  applyStep(record: StepRecord, entry: TimelineEntry): void {
    this.state.phase = record.phase;
    this.state.timeline.push(entry);
    log.info('deal step recorded', { dealNumber: this.state.dealNumber, event: entry.event, phase: record.phase });
  }

  /**
   * Upserts the search attributes whose values changed since the last call. Steps call it after they
   * change the state, so filters in the Temporal UI match the deal as stored.
   */
  publishSearchAttributes(): void {
    const { phase, owner, customer, order, invoices } = this.state;
    const values = {
      phase,
      owner,
      customer: customer?.company ?? '',
      customerId: customer?.id ?? 0,
      order: order?.number ?? '',
      invoices: invoices.map((invoice) => invoice.number).join(','),
    };
    const signature = JSON.stringify(values);
    if (signature === this.publishedSearchAttributes) return;
    this.publishedSearchAttributes = signature;
    upsertSearchAttributes([
      { key: dealPhaseKey, value: phase },
      { key: dealOwnerKey, value: owner || null },
      { key: customerNameKey, value: customer?.company ?? null },
      { key: customerIdKey, value: customer?.id ?? null },
      { key: orderNumberKey, value: order?.number ?? null },
      { key: invoiceNumbersKey, value: invoices.length > 0 ? invoices.map((invoice) => invoice.number) : null },
    ]);
  }

  /**
   * Sends an email keyed to a step without delaying the step. The returned promise resolves at once, and
   * the email activity runs after the Update has returned its result. The deal ends or continues as new only
   * once its emails are done. A failure after all retries is logged and does not undo the step, whose
   * documents are already stored.
   * NOTE: such a lost email is visible only in the worker log and the workflow history; it is not
   * re-sent later. Two emails of one deal may arrive in either order.
   */
  async sendEmail(stepKey: string, to: Recipient, content: EmailContent, attach?: DocumentRef): Promise<void> {
    if (!patched(EMAILS_AFTER_UPDATE_PATCH)) return this.deliverEmail(stepKey, to, content, attach);
    const sending = this.deliverEmail(stepKey, to, content, attach);
    this.emailsInFlight += 1;
    void sending.finally(() => {
      this.emailsInFlight -= 1;
    });
  }

  private async deliverEmail(stepKey: string, to: Recipient, content: EmailContent, attach?: DocumentRef): Promise<void> {
    try {
      await emailActivities.sendEmail({
        key: `${stepKey}/email-${content.kind}`,
        dealNumber: this.state.dealNumber,
        to,
        content,
        ...(attach ? { attachment: { document: attach, timeZone: this.state.settings.timeZone } } : {}),
      });
    } catch (error) {
      log.error('email failed after retries', { dealNumber: this.state.dealNumber, kind: content.kind, error: String(error) });
    }
  }

  customerRecipient(override?: string): { address: string } {
    return { address: override ?? this.state.customer!.contactEmail };
  }
}
