import { condition } from '@temporalio/workflow';
import type { DealContext } from './context';
import type { DealState, FollowUp } from '../domain/deal-state';
import { parseIsoDuration } from '../domain/dates';
import * as rules from '../domain/rules';
import type {
  AssignInput,
  CancelFollowUpInput,
  CompleteFollowUpInput,
  ConvertToOpportunityInput,
  CreateLeadInput,
  DisqualifyLeadInput,
  MarkLostInput,
  MoveStageInput,
  QualifyLeadInput,
  ScheduleFollowUpInput,
} from '../domain/step-inputs';

/** Steps of the lead and opportunity phases: qualification, follow-ups, pipeline stages, assignment. */

const DAY_MS = 24 * 60 * 60 * 1000;

export async function createLead(ctx: DealContext, input: CreateLeadInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkCreateLead(ctx.state),
    async () => {
      const record = ctx.nextStep(input.actor, 'lead.created', `Lead from ${input.source}: ${input.interest}`, {
        phase: 'lead',
        data: { source: input.source, interest: input.interest, estimatedValue: input.estimatedValue },
      });
      const { customer, entry } = await ctx.activities.recordLead({
        record,
        workflowId: ctx.state.workflowId,
        customerId: input.customerId,
        source: input.source,
        interest: input.interest,
        estimatedValue: input.estimatedValue,
        currency: ctx.state.settings.currency,
      });
      ctx.state.customer = customer;
      ctx.state.owner = input.actor;
      ctx.applyStep(record, entry);
      return ctx.state;
    },
  );
}

export async function qualifyLead(ctx: DealContext, input: QualifyLeadInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkQualifyLead(ctx.state),
    async () => {
      const record = ctx.nextStep(input.actor, 'lead.qualified', input.notes ?? 'Lead qualified', { data: { notes: input.notes } });
      ctx.applyStep(record, await ctx.activities.recordDealStep(record));
      ctx.state.qualified = true;
      return ctx.state;
    },
  );
}

export async function disqualifyLead(ctx: DealContext, input: DisqualifyLeadInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkDisqualifyLead(ctx.state),
    async () => closeDeal(ctx, input.actor, 'lead.disqualified', 'disqualified', input.reason),
  );
}

export async function markLost(ctx: DealContext, input: MarkLostInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkMarkLost(ctx.state),
    async () => closeDeal(ctx, input.actor, 'deal.lost', 'lost', input.reason),
  );
}

async function closeDeal(
  ctx: DealContext,
  actor: string,
  event: string,
  outcome: 'lost' | 'disqualified',
  reason: string,
): Promise<DealState> {
  const record = ctx.nextStep(actor, event, `Deal ${outcome}: ${reason}`, {
    phase: outcome,
    data: { reason },
    dealPatch: { outcomeReason: reason },
  });
  const entry = await ctx.activities.recordDealStep(record);
  ctx.applyStep(record, entry);
  ctx.state.outcome = { phase: outcome, reason, at: entry.at };
  return ctx.state;
}

export async function convertToOpportunity(ctx: DealContext, input: ConvertToOpportunityInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkConvertToOpportunity(ctx.state),
    async () => {
      const record = ctx.nextStep(input.actor, 'lead.converted_to_opportunity', `Opportunity "${input.name}" opened`, {
        phase: 'opportunity',
        data: { name: input.name, expectedCloseInDays: input.expectedCloseInDays },
        dealPatch: { title: input.name, stage: 'qualification' },
      });
      ctx.applyStep(record, await ctx.activities.recordDealStep(record));
      ctx.state.opportunityName = input.name;
      ctx.state.stage = 'qualification';
      return ctx.state;
    },
  );
}

export async function moveStage(ctx: DealContext, input: MoveStageInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkMoveStage(ctx.state, input),
    async () => {
      const record = ctx.nextStep(input.actor, 'opportunity.stage_moved', `Stage moved from ${ctx.state.stage} to ${input.to}`, {
        data: { from: ctx.state.stage, to: input.to },
        dealPatch: { stage: input.to },
      });
      ctx.applyStep(record, await ctx.activities.recordDealStep(record));
      ctx.state.stage = input.to;
      return ctx.state;
    },
  );
}

/** Hands the deal to another user, who is emailed; open follow-ups remind the new owner from now on. */
export async function assignOpportunity(ctx: DealContext, input: AssignInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkAssign(ctx.state, input),
    async () => {
      const record = ctx.nextStep(input.actor, 'opportunity.assigned', `Assigned from ${ctx.state.owner} to ${input.to}`, {
        data: { from: ctx.state.owner, to: input.to, note: input.note },
        dealPatch: { owner: input.to },
      });
      ctx.applyStep(record, await ctx.activities.recordDealStep(record));
      ctx.state.owner = input.to;
      for (const followUp of ctx.state.followUps) {
        if (followUp.status === 'open') followUp.owner = input.to;
      }
      await ctx.sendEmail(record.key, { user: input.to }, {
        kind: 'assignment_notice',
        assignedBy: input.actor,
        customer: ctx.state.customer!.company,
        opportunityName: ctx.state.opportunityName ?? `Deal ${ctx.state.dealNumber}`,
        note: input.note,
      });
      return ctx.state;
    },
  );
}

export async function scheduleFollowUp(ctx: DealContext, input: ScheduleFollowUpInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkScheduleFollowUp(ctx.state),
    async () => {
      const now = Date.now();
      const dueMs = input.dueAt ? Date.parse(input.dueAt) : now + parseIsoDuration(input.dueIn!);
      const leadMs = parseIsoDuration(input.remindBefore ?? ctx.state.settings.followUpRemindBefore);
      const followUp: FollowUp = {
        seq: ctx.state.followUps.length + 1,
        channel: input.channel,
        subject: input.subject,
        owner: ctx.state.owner,
        dueAt: new Date(dueMs).toISOString(),
        remindAt: new Date(Math.max(now, dueMs - leadMs)).toISOString(),
        status: 'open',
      };
      const record = ctx.nextStep(input.actor, 'followup.scheduled', `${input.channel} "${input.subject}" due ${followUp.dueAt}`, {
        data: { seq: followUp.seq, channel: input.channel, subject: input.subject, dueAt: followUp.dueAt },
      });
      ctx.applyStep(record, await ctx.activities.saveFollowUp({ record, followUp }));
      ctx.state.followUps.push(followUp);
      // A reminder time that has already passed (a lead time longer than the time to the due date) is
      // served at once, in this step, so the owner hears of it before any later step can close it.
      if (Date.parse(followUp.remindAt) <= now) await remindOwner(ctx, followUp);
      void watchFollowUp(ctx, followUp);
      return ctx.state;
    },
  );
}

export async function closeFollowUp(
  ctx: DealContext,
  input: CompleteFollowUpInput | CancelFollowUpInput,
  status: 'completed' | 'cancelled',
): Promise<DealState> {
  const verb = status === 'completed' ? 'completing' : 'cancelling';
  return ctx.exclusive(
    () => rules.checkCloseFollowUp(ctx.state, input.seq, verb),
    async () => {
      const followUp = ctx.state.followUps.find((candidate) => candidate.seq === input.seq)!;
      const outcome = 'outcome' in input ? input.outcome : input.reason;
      const record = ctx.nextStep(input.actor, `followup.${status}`, `Follow-up ${input.seq} ${status}${outcome ? `: ${outcome}` : ''}`, {
        data: { seq: input.seq, outcome },
      });
      const updated: FollowUp = { ...followUp, status, outcome };
      ctx.applyStep(record, await ctx.activities.saveFollowUp({ record, followUp: updated }));
      Object.assign(followUp, updated);
      return ctx.state;
    },
  );
}

/**
 * Reminds the follow-up's owner at its reminder time, and the sales manager when it is still open a
 * day after it fell due. Closing the follow-up ends the wait, which cancels the pending timer.
 */
export async function watchFollowUp(ctx: DealContext, followUp: FollowUp): Promise<void> {
  const isClosed = () => followUp.status !== 'open' || ctx.state.outcome !== undefined;
  if (!followUp.ownerRemindedAt) {
    if (await condition(isClosed, Math.max(1, Date.parse(followUp.remindAt) - Date.now()))) return;
    await ctx.exclusive(
      () => undefined,
      async () => {
        if (!isClosed()) await remindOwner(ctx, followUp);
      },
    );
  }

  if (followUp.managerNotifiedAt) return;
  if (await condition(isClosed, Math.max(1, Date.parse(followUp.dueAt) + DAY_MS - Date.now()))) return;
  await ctx.exclusive(
    () => undefined,
    async () => {
      if (!isClosed()) await notifyManager(ctx, followUp);
    },
  );
}

async function remindOwner(ctx: DealContext, followUp: FollowUp): Promise<void> {
  const record = ctx.nextStep('system', 'followup.reminder_sent', `Reminder for follow-up ${followUp.seq} sent to ${followUp.owner}`, {
    data: { seq: followUp.seq, to: followUp.owner },
  });
  ctx.applyStep(record, await ctx.activities.recordDealStep(record));
  followUp.ownerRemindedAt = record.entry.at;
  await ctx.sendEmail(record.key, { user: followUp.owner }, {
    kind: 'followup_reminder',
    channel: followUp.channel,
    subject: followUp.subject,
    dueAt: followUp.dueAt,
    customer: ctx.state.customer!.company,
  });
}

async function notifyManager(ctx: DealContext, followUp: FollowUp): Promise<void> {
  const manager = ctx.state.settings.salesManager;
  const record = ctx.nextStep('system', 'followup.overdue', `Follow-up ${followUp.seq} a day overdue; ${manager} notified`, {
    data: { seq: followUp.seq, to: manager },
  });
  ctx.applyStep(record, await ctx.activities.recordDealStep(record));
  followUp.managerNotifiedAt = record.entry.at;
  await ctx.sendEmail(record.key, { user: manager }, {
    kind: 'followup_overdue',
    channel: followUp.channel,
    subject: followUp.subject,
    dueAt: followUp.dueAt,
    owner: followUp.owner,
    customer: ctx.state.customer!.company,
  });
}
