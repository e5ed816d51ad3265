import { allHandlersFinished, condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

/**
 * The benchmark's baseline: a workflow that takes Updates like a deal and runs, per Update, a given
 * number of activities whose bodies do nothing. The deal's cost above this baseline is what its own
 * code (rules, database writes, PDFs, emails, HTTP layer) adds to Temporal's own round trips.
 */

export interface BaselineActivities {
  noop(): Promise<void>;
}

// The same timeouts and retry policy as the deal's document activities (workflows/context.ts).
const { noop } = proxyActivities<BaselineActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

export interface BaselineStepInput {
  /** Number of no-op activities this Update runs, one after another. */
  activities: number;
  /** Whether the workflow completes after this Update, as a deal does after its last step. */
  last?: boolean;
}

export const baselineStep = defineUpdate<{ steps: number }, [BaselineStepInput]>('baselineStep');

export async function baselineDeal(): Promise<number> {
  let steps = 0;
  let finished = false;

  setHandler(
    baselineStep,
    async ({ activities, last }) => {
      for (let index = 0; index < activities; index++) await noop();
      steps += 1;
      if (last) finished = true;
      return { steps };
    },
    {
      // A deal validates every Update against its state machine, so the baseline runs a validator too.
      validator: ({ activities }) => {
        if (!Number.isInteger(activities) || activities < 0) throw new Error(`invalid activity count ${activities}`);
      },
    },
  );

  await condition(() => finished && allHandlersFinished());
  return steps;
}
