import { ApplicationFailure } from '@temporalio/activity';
import type { Database } from '../models/db';
import type { CustomerSnapshot, FollowUp, TimelineEntry } from '../domain/deal-state';
import { formatAmount } from '../domain/money';
import { inStepTransaction, recordStepOnly, type StepRecord } from './step-record';

export interface RecordLeadInput {
  record: StepRecord;
  workflowId: string;
  customerId: number;
  source: string;
  interest: string;
  estimatedValue?: string;
  currency: string;
}

/** Activities for the lead and opportunity steps, whose only documents are the deal row and follow-ups. */
export function createDealActivities(db: Database) {
  const { Customer, Deal, FollowUp: FollowUps } = db.models;

  /** Creates the deal row for a new lead and returns the customer as the deal will remember it. */
  async function recordLead(input: RecordLeadInput): Promise<{ customer: CustomerSnapshot; entry: TimelineEntry }> {
    const customer = await Customer.findByPk(input.customerId);
    if (!customer) {
      throw ApplicationFailure.nonRetryable(`customer ${input.customerId} not found`, 'NotFound');
    }
    const snapshot: CustomerSnapshot = {
      id: customer.get('id') as number,
      company: customer.get('company') as string,
      contactName: customer.get('contactName') as string,
      contactEmail: customer.get('contactEmail') as string,
      taxRatePercent: String(Number(customer.get('taxRatePercent'))),
      paymentTermsDays: customer.get('paymentTermsDays') as number,
    };
    const { entry } = await inStepTransaction(db, input.record, async (transaction) => {
      // The step's idempotency key already keeps a retry from getting here twice; ignoreDuplicates
      // (ON CONFLICT DO NOTHING) only guards the row itself.
      await Deal.bulkCreate(
        [
          {
            number: input.record.dealNumber,
            workflowId: input.workflowId,
            customerId: input.customerId,
            customerName: snapshot.company,
            owner: input.record.entry.actor,
            phase: input.record.phase,
            title: `${snapshot.company}: ${input.interest}`.slice(0, 300),
            source: input.source,
            estimatedValue: input.estimatedValue ? formatAmount(input.estimatedValue, input.currency) : null,
            currency: input.currency,
            createdAt: input.record.entry.at,
            updatedAt: input.record.entry.at,
          },
        ],
        { ignoreDuplicates: true, transaction },
      );
      return { result: undefined, documents: [] };
    });
    return { customer: snapshot, entry };
  }

  /** Records a step that changes only the deal row and the timeline (qualify, stage move, assignment, ...). */
  async function recordDealStep(record: StepRecord): Promise<TimelineEntry> {
    return recordStepOnly(db, record);
  }

  /** Inserts or updates a follow-up and records the step that changed it. */
  async function saveFollowUp(input: { record: StepRecord; followUp: FollowUp }): Promise<TimelineEntry> {
    const { record, followUp } = input;
    const { entry } = await inStepTransaction(db, record, async (transaction) => {
      await FollowUps.upsert(
        {
          dealNumber: record.dealNumber,
          seq: followUp.seq,
          channel: followUp.channel,
          subject: followUp.subject,
          owner: followUp.owner,
          dueAt: followUp.dueAt,
          remindAt: followUp.remindAt,
          status: followUp.status,
          outcome: followUp.outcome ?? null,
        },
        { transaction },
      );
      return { result: undefined, documents: [] };
    });
    return entry;
  }

  return { recordLead, recordDealStep, saveFollowUp };
}
