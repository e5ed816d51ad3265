import {
  type Client,
  WithStartWorkflowOperation,
  WorkflowUpdateFailedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { ApplicationFailure, type SignalDefinition, type UpdateDefinition } from '@temporalio/common';
import { QueryTypes } from 'sequelize';
import type { Database } from '../models/db';
import type { DealSettings, DealState } from '../domain/deal-state';
import type { CreateLeadInput } from '../domain/step-inputs';
import { createLead, deal, getDeal } from '../workflows/deal';
import { ProblemError } from './problem';

export function dealWorkflowId(dealNumber: number): string {
  return `deal-${dealNumber}`;
}

/** Finds the innermost ApplicationFailure of an error chain: the message a rule or activity gave. */
function rootApplicationFailure(error: unknown): ApplicationFailure | undefined {
  let current: unknown = error;
  let found: ApplicationFailure | undefined;
  while (current instanceof Error) {
    if (current instanceof ApplicationFailure) found = current;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return found;
}

/** Turns a Temporal client error from a step into the problem the API returns. */
export function toStepProblem(error: unknown, dealNumber: number): unknown {
  if (error instanceof WorkflowNotFoundError) {
    return new ProblemError('notFound', `deal ${dealNumber} not found`);
  }
  if (error instanceof WorkflowUpdateFailedError) {
    const failure = rootApplicationFailure(error);
    const detail = failure?.message ?? error.message;
    return new ProblemError(failure?.type === 'UnknownSku' ? 'unprocessable' : 'stepRejected', detail);
  }
  return error;
}

/** Starts deals and runs their steps through the Temporal client. */
export class DealService {
  constructor(
    private readonly client: Client,
    private readonly db: Database,
    private readonly taskQueue: string,
    private readonly settings: DealSettings,
  ) {}

  /** Allocates a deal number and starts its workflow with the lead in one call (update-with-start). */
  async createDeal(input: CreateLeadInput): Promise<DealState> {
    const [row] = await this.db.sequelize.query<{ value: string }>(`SELECT nextval('deal_number_seq') AS value`, {
      type: QueryTypes.SELECT,
    });
    const dealNumber = Number(row.value);
    const startWorkflowOperation = new WithStartWorkflowOperation(deal, {
      workflowId: dealWorkflowId(dealNumber),
      taskQueue: this.taskQueue,
      args: [{ dealNumber, settings: this.settings }],
      workflowIdConflictPolicy: 'FAIL',
      memo: { dealNumber },
    });
    try {
      return await this.client.workflow.executeUpdateWithStart(createLead, { args: [input], startWorkflowOperation });
    } catch (error) {
      throw toStepProblem(error, dealNumber);
    }
  }

  async runStep<Args extends unknown[]>(
    dealNumber: number,
    update: UpdateDefinition<DealState, Args>,
    args: Args,
  ): Promise<DealState> {
    try {
      const handle = this.client.workflow.getHandle(dealWorkflowId(dealNumber));
      // The definitions are typed per step; the router passes arguments it built for that step.
      return (await handle.executeUpdate(update.name, { args } as never)) as DealState;
    } catch (error) {
      throw await this.explainNotFound(error, dealNumber);
    }
  }

  /**
   * Temporal answers an Update to a closed workflow as if the workflow did not exist. The deal row tells
   * an ended deal (409, with its outcome) from one that never existed (404).
   */
  private async explainNotFound(error: unknown, dealNumber: number): Promise<unknown> {
    if (!(error instanceof WorkflowNotFoundError)) return toStepProblem(error, dealNumber);
    const row = await this.db.models.Deal.findByPk(dealNumber, { attributes: ['phase'] });
    if (!row) return new ProblemError('notFound', `deal ${dealNumber} not found`);
    return new ProblemError('stepRejected', `deal ${dealNumber} has ended as ${row.get('phase')}; no further steps are allowed`);
  }

  async signal<Args extends unknown[]>(dealNumber: number, signal: SignalDefinition<Args>, args: Args) {
    try {
      await this.client.workflow.getHandle(dealWorkflowId(dealNumber)).signal(signal, ...args);
    } catch (error) {
      throw await this.explainNotFound(error, dealNumber);
    }
  }

  async getDeal(dealNumber: number): Promise<DealState> {
    try {
      return await this.client.workflow.getHandle(dealWorkflowId(dealNumber)).query(getDeal);
    } catch (error) {
      throw toStepProblem(error, dealNumber);
    }
  }
}
