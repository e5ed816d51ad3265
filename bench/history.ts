import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time';

/**
 * Reads a workflow's event history: which activities each Update scheduled (the baseline copies these
 * counts), and how long activities and workflow tasks waited in their task queues and ran.
 */

export interface UpdateProfile {
  /** Update name, such as qualifyLead. */
  name: string;
  /** Activity types the Update scheduled before it completed, in order. */
  activities: string[];
  /** Time from the Update's acceptance to its completion, from the server's event times. */
  serverMs: number;
}

export interface TaskTiming {
  /** Activity type, or `workflow task`. */
  type: string;
  /** Scheduled to started: time spent waiting in the task queue for a worker slot and a poll. */
  queueMs: number;
  /** Started to completed: time the worker spent on it. */
  runMs: number;
}

export interface HistoryProfile {
  /** Number of history events, and of each event type (such as TIMER_STARTED). */
  events: number;
  eventTypes: Record<string, number>;
  /** Size of the encoded history protobuf, in bytes. */
  bytes: number;
  updates: UpdateProfile[];
  /** Activities scheduled while no Update was open, such as those of timers. */
  backgroundActivities: string[];
  tasks: TaskTiming[];
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

function idOf(value: unknown): number {
  return typeof value === 'number' ? value : Number(String(value));
}

function timeOf(event: HistoryEvent): number {
  return tsToMs(event.eventTime);
}

/** Splits one history into Updates with their activities, plus activity and workflow task timings. */
export function profileEvents(events: HistoryEvent[]): Omit<HistoryProfile, 'bytes'> {
  const updates: UpdateProfile[] = [];
  const open = new Map<string, { profile: UpdateProfile; acceptedAt: number }>();
  const backgroundActivities: string[] = [];
  const scheduled = new Map<number, { type: string; at: number }>();
  const started = new Map<number, number>();
  const tasks: TaskTiming[] = [];
  const eventTypes: Record<string, number> = {};

  for (const event of events) {
    const eventId = idOf(event.eventId);
    const typeName = (temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? 'UNKNOWN').replace(/^EVENT_TYPE_/, '');
    eventTypes[typeName] = (eventTypes[typeName] ?? 0) + 1;
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
    const completed = event.workflowExecutionUpdateCompletedEventAttributes;
    const activity = event.activityTaskScheduledEventAttributes;
    if (accepted) {
      const profile: UpdateProfile = { name: accepted.acceptedRequest?.input?.name ?? 'unknown', activities: [], serverMs: 0 };
      updates.push(profile);
      open.set(accepted.acceptedRequest?.meta?.updateId ?? String(eventId), { profile, acceptedAt: timeOf(event) });
    } else if (completed) {
      const entry = open.get(completed.meta?.updateId ?? '');
      if (entry) {
        entry.profile.serverMs = timeOf(event) - entry.acceptedAt;
        open.delete(completed.meta?.updateId ?? '');
      }
    } else if (activity) {
      const type = activity.activityType?.name ?? 'unknown';
      scheduled.set(eventId, { type, at: timeOf(event) });
      // A deal runs one step at a time, so an activity belongs to the one Update that is open.
      const owner = [...open.values()].at(-1);
      if (owner) owner.profile.activities.push(type);
      else backgroundActivities.push(type);
    } else if (event.activityTaskStartedEventAttributes) {
      started.set(idOf(event.activityTaskStartedEventAttributes.scheduledEventId), timeOf(event));
    } else if (event.activityTaskCompletedEventAttributes) {
      const scheduledId = idOf(event.activityTaskCompletedEventAttributes.scheduledEventId);
      const schedule = scheduled.get(scheduledId);
      const startedAt = started.get(scheduledId);
      if (schedule && startedAt !== undefined) {
        tasks.push({ type: schedule.type, queueMs: startedAt - schedule.at, runMs: timeOf(event) - startedAt });
      }
    } else if (event.workflowTaskScheduledEventAttributes) {
      scheduled.set(eventId, { type: 'workflow task', at: timeOf(event) });
    } else if (event.workflowTaskStartedEventAttributes) {
      started.set(idOf(event.workflowTaskStartedEventAttributes.scheduledEventId), timeOf(event));
    } else if (event.workflowTaskCompletedEventAttributes) {
      const scheduledId = idOf(event.workflowTaskCompletedEventAttributes.scheduledEventId);
      const schedule = scheduled.get(scheduledId);
      const startedAt = started.get(scheduledId);
      if (schedule && startedAt !== undefined) {
        tasks.push({ type: schedule.type, queueMs: startedAt - schedule.at, runMs: timeOf(event) - startedAt });
      }
    }
  }
  return { events: events.length, eventTypes, updates, backgroundActivities, tasks };
}

export async function profileWorkflow(client: Client, workflowId: string): Promise<HistoryProfile> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const bytes = temporal.api.history.v1.History.encode(history).finish().length;
  return { ...profileEvents(history.events ?? []), bytes };
}
