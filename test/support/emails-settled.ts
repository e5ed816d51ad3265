import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/**
 * Waits until a deal's workflow has no email activity scheduled or running. A step's Update returns
 * before its email is sent, but the email activity is scheduled in the same workflow task as the
 * Update's result, so waiting here after a step covers that step's emails. Throws when emails are still pending after `timeoutMs`.
 */
export async function emailsSettled(client: Client, workflowId: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let pending: string[];
    try {
      const description = await client.workflow.getHandle(workflowId).describe();
      pending = (description.raw.pendingActivities ?? [])
        .filter((activity) => activity.activityType?.name === 'sendEmail')
        .map((activity) => `activity ${activity.activityId} (attempt ${activity.attempt})`);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return;
      throw error;
    }
    if (pending.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${workflowId} still has emails pending after ${timeoutMs} ms: ${pending.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
