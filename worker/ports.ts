import net from 'node:net';

/** Fails with a message naming the setting to change when a loopback port is already taken. */
export async function assertPortFree(port: number, what: string, setting: string): Promise<void> {
  const free = await new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
  if (!free) {
    throw new Error(
      `port ${port} for the ${what} is already in use (is another npm start running?); stop that process or set ${setting} to another port`,
    );
  }
}
