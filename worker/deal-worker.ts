import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Database } from '../models/db';
import type { Mailer } from '../activities/mailer';
import type { PortalLinkSettings } from '../activities/email';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from './config';

export interface DealWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Database;
  mailer: Mailer;
  messageIdDomain: string;
  portal: PortalLinkSettings;
  /**
   * Deals the worker keeps in memory between steps (the SDK's sticky cache). A step for a deal outside
   * the cache replays the deal's history first. Default: DEFAULT_MAX_CACHED_WORKFLOWS.
   */
  maxCachedWorkflows?: number;
  /** A prebuilt workflow bundle; without it the worker bundles workflows/ itself, which takes seconds. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** Creates the worker that runs deal workflows and their activities on one task queue. */
export async function createDealWorker(options: DealWorkerOptions): Promise<Worker> {
  const activities = createActivities({
    db: options.db,
    mailer: options.mailer,
    messageIdDomain: options.messageIdDomain,
    portal: options.portal,
  });
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities,
    maxCachedWorkflows: options.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('../workflows/deal') }),
  });
}
