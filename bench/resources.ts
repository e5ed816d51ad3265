import fs from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Worker } from '@temporalio/worker';
import type { Database } from '../models/db';

/**
 * CPU and memory of the benchmark process and of the servers it started (Temporal dev server,
 * embedded PostgreSQL), read from Linux /proc. Also samples the database pool and the worker while a
 * phase runs.
 */

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, which is 100 on Linux for x86-64 and arm64). */
const CLOCK_TICKS = 100;
const PAGE_BYTES = 4096;

export type ProcessGroup = 'node' | 'temporal' | 'postgres' | 'other';

export interface ProcessUsage {
  /** CPU seconds, including children that have exited and were waited for. */
  cpuSeconds: Record<ProcessGroup, number>;
  /** Resident memory in bytes of the processes alive now. */
  rssBytes: Record<ProcessGroup, number>;
}

interface ProcStat {
  pid: number;
  ppid: number;
  command: string;
  cpuTicks: number;
  rssPages: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command is in brackets and may contain spaces, so fields are counted from the closing bracket.
  const close = text.lastIndexOf(')');
  const command = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state) of proc(5): ppid is field 4, utime..cstime are 14-17, rss is 24.
  const ticks = (index: number) => Number(fields[index - 3]);
  return { pid, ppid: ticks(4), command, cpuTicks: ticks(14) + ticks(15) + ticks(16) + ticks(17), rssPages: ticks(24) };
}

function groupOf(stat: ProcStat, rootPid: number): ProcessGroup {
  // The open-deals phase runs the worker in a child Node process; it counts with this one.
  if (stat.pid === rootPid || stat.command === 'node') return 'node';
  if (stat.command.startsWith('temporal')) return 'temporal';
  if (stat.command.startsWith('postgres')) return 'postgres';
  return 'other';
}

/** Sums CPU time and RSS over this process and its descendants. Returns undefined without /proc. */
export function processUsage(rootPid = process.pid): ProcessUsage | undefined {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const stats = entries.map((name) => readStat(Number(name))).filter((stat): stat is ProcStat => stat !== undefined);
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) {
    const list = children.get(stat.ppid);
    if (list) list.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  const usage: ProcessUsage = {
    cpuSeconds: { node: 0, temporal: 0, postgres: 0, other: 0 },
    rssBytes: { node: 0, temporal: 0, postgres: 0, other: 0 },
  };
  const root = stats.find((stat) => stat.pid === rootPid);
  if (!root) return undefined;
  // Breadth-first over the tree. Each process counts once, and its exited children are in its cstime.
  const queue: ProcStat[] = [root];
  for (let index = 0; index < queue.length && index < 10_000; index++) {
    const stat = queue[index];
    const group = stat.pid === rootPid ? 'node' : groupOf(stat, rootPid);
    usage.cpuSeconds[group] += stat.cpuTicks / CLOCK_TICKS;
    usage.rssBytes[group] += stat.rssPages * PAGE_BYTES;
    queue.push(...(children.get(stat.pid) ?? []));
  }
  return usage;
}

/** CPU seconds spent per process group between two readings. */
export function cpuBetween(before: ProcessUsage | undefined, after: ProcessUsage | undefined): Record<ProcessGroup, number> | undefined {
  if (!before || !after) return undefined;
  const groups: ProcessGroup[] = ['node', 'temporal', 'postgres', 'other'];
  return Object.fromEntries(groups.map((group) => [group, Math.max(0, after.cpuSeconds[group] - before.cpuSeconds[group])])) as Record<
    ProcessGroup,
    number
  >;
}

export interface PhaseSamples {
  samples: number;
  /** Largest and mean number of queries waiting for a connection of the Sequelize pool. */
  poolWaitingMax: number;
  poolWaitingMean: number;
  poolSize: number;
  /** Activities and workflow activations the deal worker was running, largest seen. */
  activitiesInFlightMax: number;
  activationsInFlightMax: number;
  cachedWorkflowsMax: number;
  /** Share of wall time the main thread's event loop was busy (activities, API, client), 0 to 1. */
  eventLoopUtilization: number;
  /** Event loop delay of this process, milliseconds. */
  eventLoopDelayP50: number;
  eventLoopDelayP99: number;
  eventLoopDelayMax: number;
  cpu?: Record<ProcessGroup, number>;
  wallSeconds: number;
}

interface PoolLike {
  size: number;
  waiting: number;
}

/**
 * Samples the pool and the worker every `intervalMs` until stop() is called. The pool is read through
 * Sequelize's connection manager, an internal of Sequelize 6 that may change.
 */
export function startSampler(db: Database, worker: Worker, intervalMs = 200) {
  const pool = (db.sequelize.connectionManager as unknown as { pool?: PoolLike }).pool;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const usageBefore = processUsage();
  const utilizationBefore = performance.eventLoopUtilization();
  const startedAt = performance.now();
  let samples = 0;
  let waitingTotal = 0;
  const result = {
    poolWaitingMax: 0,
    poolSize: 0,
    activitiesInFlightMax: 0,
    activationsInFlightMax: 0,
    cachedWorkflowsMax: 0,
  };
  const timer = setInterval(() => {
    samples += 1;
    const waiting = pool?.waiting ?? 0;
    waitingTotal += waiting;
    result.poolWaitingMax = Math.max(result.poolWaitingMax, waiting);
    result.poolSize = Math.max(result.poolSize, pool?.size ?? 0);
    const status = worker.getStatus();
    result.activitiesInFlightMax = Math.max(result.activitiesInFlightMax, status.numInFlightActivities);
    result.activationsInFlightMax = Math.max(result.activationsInFlightMax, status.numInFlightWorkflowActivations);
    result.cachedWorkflowsMax = Math.max(result.cachedWorkflowsMax, status.numCachedWorkflows);
  }, intervalMs);
  timer.unref();

  return {
    stop(): PhaseSamples {
      clearInterval(timer);
      delay.disable();
      const nanosToMillis = (value: number) => value / 1e6;
      return {
        samples,
        ...result,
        poolWaitingMean: samples > 0 ? waitingTotal / samples : 0,
        eventLoopUtilization: performance.eventLoopUtilization(utilizationBefore).utilization,
        eventLoopDelayP50: nanosToMillis(delay.percentile(50)),
        eventLoopDelayP99: nanosToMillis(delay.percentile(99)),
        eventLoopDelayMax: nanosToMillis(delay.max),
        cpu: cpuBetween(usageBefore, processUsage()),
        wallSeconds: (performance.now() - startedAt) / 1000,
      };
    },
  };
}
