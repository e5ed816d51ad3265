import fs from 'node:fs';

/** Stops what global-setup started, newest first, and removes the run's temporary folder. */
export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as Record<string, unknown>).__o2cServices as
    | {
        postgres: { stop(): Promise<void> };
        temporal: { shutdown(): Promise<void> };
        smtp: { close(): Promise<void> };
        workDir: string;
      }
    | undefined;
  if (!services) return;
  await services.smtp.close();
  await services.temporal.shutdown();
  await services.postgres.stop();
  fs.rmSync(services.workDir, { recursive: true, force: true });
}
