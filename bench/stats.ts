/** Latency percentiles and a bounded pool of concurrent tasks, shared by every benchmark phase. */

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

/** Returns the nearest-rank percentile of an ascending array, in its unit, or NaN for an empty array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.length > 0 ? total / sorted.length : Number.NaN,
    max: sorted.length > 0 ? sorted[sorted.length - 1] : Number.NaN,
  };
}

/** Latency samples in milliseconds, grouped by name, in the order names were first recorded. */
export class LatencyRecorder {
  private readonly samples = new Map<string, number[]>();

  record(name: string, milliseconds: number): void {
    const list = this.samples.get(name);
    if (list) list.push(milliseconds);
    else this.samples.set(name, [milliseconds]);
  }

  names(): string[] {
    return [...this.samples.keys()];
  }

  summary(name: string): LatencySummary {
    return summarize(this.samples.get(name) ?? []);
  }

  all(): number[] {
    return [...this.samples.values()].flat();
  }
}

export interface PoolResult {
  started: number;
  completed: number;
  failed: number;
  /** The first few failure messages, with the task index. */
  errors: string[];
  elapsedMs: number;
}

const KEPT_ERRORS = 5;

/**
 * Runs `task(0)` to `task(count - 1)` with at most `concurrency` in flight. No task starts after
 * `deadline` (a Date.now() value), but tasks already running are awaited. A failed task is counted and
 * does not stop the others.
 */
export async function runPool(
  count: number,
  concurrency: number,
  deadline: number,
  task: (index: number) => Promise<void>,
): Promise<PoolResult> {
  const result: PoolResult = { started: 0, completed: 0, failed: 0, errors: [], elapsedMs: 0 };
  const startedAt = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < count && Date.now() < deadline) {
      const index = next++;
      result.started += 1;
      try {
        await task(index);
        result.completed += 1;
      } catch (error) {
        result.failed += 1;
        if (result.errors.length < KEPT_ERRORS) {
          result.errors.push(`#${index}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane));
  result.elapsedMs = performance.now() - startedAt;
  return result;
}

/** Times one promise-returning call and records it under `name`. */
export async function timed<T>(recorder: LatencyRecorder, name: string, call: () => Promise<T>): Promise<T> {
  const startedAt = performance.now();
  try {
    return await call();
  } finally {
    recorder.record(name, performance.now() - startedAt);
  }
}
