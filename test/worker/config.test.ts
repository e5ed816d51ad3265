import { DEFAULT_MAX_CACHED_WORKFLOWS, loadEnvironment } from '../../worker/config';

describe('worker configuration', () => {
  test('defaults the sticky cache to a bounded size', () => {
    expect(loadEnvironment({}).WORKER_MAX_CACHED_WORKFLOWS).toBe(DEFAULT_MAX_CACHED_WORKFLOWS);
    expect(DEFAULT_MAX_CACHED_WORKFLOWS).toBe(1000);
  });

  test('reads a cache size, including 0 for no cache', () => {
    expect(loadEnvironment({ WORKER_MAX_CACHED_WORKFLOWS: '2000' }).WORKER_MAX_CACHED_WORKFLOWS).toBe(2000);
    expect(loadEnvironment({ WORKER_MAX_CACHED_WORKFLOWS: '0' }).WORKER_MAX_CACHED_WORKFLOWS).toBe(0);
  });

  test.each(['-1', 'lots', '2.5', '100001'])('rejects WORKER_MAX_CACHED_WORKFLOWS=%s and names the variable', (value) => {
    expect(() => loadEnvironment({ WORKER_MAX_CACHED_WORKFLOWS: value })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
  });

  test('lists every bad variable in one message', () => {
    expect(() => loadEnvironment({ WORKER_MAX_CACHED_WORKFLOWS: 'lots', PORT: '70000' })).toThrow(
      /PORT[\s\S]*WORKER_MAX_CACHED_WORKFLOWS|WORKER_MAX_CACHED_WORKFLOWS[\s\S]*PORT/,
    );
  });
});
