import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';

const ROOT = path.resolve(__dirname, '..', '..');
const INSTALL_SCRIPT = path.join(ROOT, 'scripts', 'install-test-server.sh');
const LAUNCHER = path.join(ROOT, 'scripts', 'temporal-test-server');
/** Written by the install script after the last jar, so its absence means the jars are missing or incomplete. */
const INSTALL_MARKER = path.join(ROOT, '.tools', 'test-server', 'VERSION');

/**
 * Starts Temporal's Java time-skipping test server on a free port and connects to it. Workflow timers
 * of days then fire in seconds while a test awaits a workflow result or calls `env.sleep()`.
 *
 * Runs scripts/install-test-server.sh first when the jars are not installed, which needs Maven on the
 * first run on a machine. `TEMPORAL_TEST_SERVER_PATH` replaces the launcher with another test server
 * executable, which then needs neither Java nor the jars. Call `teardown()` on the result to stop the server.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();

  const userExecutable = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (!userExecutable) {
    assertJavaInstalled();
    // NOTE: an install of another version also counts, so after a version change in the install script run that script by hand.
    if (!fs.existsSync(INSTALL_MARKER)) installTestServer();
  }

  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: userExecutable || LAUNCHER } },
  });
}

/** Keeps the SDK's per-worker INFO lines out of test output, as the harness does. */
function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger((process.env.TEST_SDK_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN') });
  } catch {
    // Already installed by an earlier test file in this process.
  }
}

function assertJavaInstalled(): void {
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const result = spawnSync(java, ['-version'], { stdio: 'ignore' });
  if (result.error || result.status !== 0) {
    const cause = result.error ? result.error.message : `exit status ${result.status}`;
    throw new Error(
      `Java is missing: '${java} -version' failed (${cause}). The time-skipping test server needs Java 8 or later. ` +
        'Install a JRE (apt-get install openjdk-17-jre-headless), set JAVA_HOME, or set TEMPORAL_TEST_SERVER_PATH to a test server executable.',
    );
  }
}

function installTestServer(): void {
  const result = spawnSync('bash', [INSTALL_SCRIPT], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error || result.status !== 0) {
    const cause = result.error ? result.error.message : `exit status ${result.status}`;
    throw new Error(`Installing the time-skipping test server failed: ${INSTALL_SCRIPT} ended with ${cause}. Its output is above.`);
  }
}
