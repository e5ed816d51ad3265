import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { startSmtpReceiver } from '../support/smtp-receiver';

/** Sends one SMTP command line, or only reads when `line` is empty, and resolves with the reply code. */
async function command(socket: net.Socket, line: string): Promise<string> {
  const reply = new Promise<string>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('data', (chunk) => resolve(chunk.toString().slice(0, 3)));
  });
  if (line) socket.write(`${line}\r\n`);
  return reply;
}

/** Opens a connection and waits for the 220 greeting. */
async function greet(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  expect(await command(socket, '')).toBe('220');
  return socket;
}

test('receiver survives a reset connection', async () => {
  const errors: string[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'o2c-smtp-reset-'));
  const receiver = await startSmtpReceiver(dir, (error) => errors.push(String(error.code)));
  try {
    const dropped = await greet(receiver.port);
    expect(await command(dropped, 'HELO worker.example')).toBe('250');
    expect(await command(dropped, 'MAIL FROM:<sales@example.com>')).toBe('250');
    expect(await command(dropped, 'RCPT TO:<buyer@example.com>')).toBe('250');
    expect(await command(dropped, 'DATA')).toBe('354');
    dropped.write('Subject: cut off\r\n\r\nHalf a message');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // A worker killed while sending ends its connection with a TCP reset in the middle of the message.
    dropped.resetAndDestroy();
    await new Promise((resolve) => setTimeout(resolve, 200));

    const next = await greet(receiver.port);
    next.end('QUIT\r\n');
    // Without a listener this 'error' event is thrown as an uncaught exception.
    expect(errors).toEqual(['ECONNRESET']);
  } finally {
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
