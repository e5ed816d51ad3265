import fs from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

/**
 * A real SMTP server for tests: it accepts every message on loopback and stores each one as a .eml
 * file in `dir`, so any test process can read what was delivered.
 */
export async function startSmtpReceiver(
  dir: string,
  onConnectionError: (error: NodeJS.ErrnoException) => void = warnUnlessReset,
): Promise<{ port: number; close(): Promise<void> }> {
  fs.mkdirSync(dir, { recursive: true });
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        count += 1;
        fs.writeFileSync(path.join(dir, `${Date.now()}-${count}.eml`), Buffer.concat(chunks));
        callback();
      });
    },
  });
  // A client that dies in the middle of a message, such as the worker the crash test kills, resets its
  // connection. smtp-server reports that as an 'error' event, which would otherwise crash the test process.
  server.on('error', onConnectionError);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function warnUnlessReset(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ECONNRESET') console.warn(`SMTP receiver: ${error.message}`);
}

export interface ReceivedMail {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  /** File names of the attachments. */
  attachments: string[];
}

/** Reads every message the receiver stored, oldest first. */
export async function readMailbox(dir: string): Promise<ReceivedMail[]> {
  const files = fs.readdirSync(dir).filter((file) => file.endsWith('.eml'));
  files.sort((a, b) => {
    const [timeA, countA] = a.split(/[-.]/).map(Number);
    const [timeB, countB] = b.split(/[-.]/).map(Number);
    return timeA - timeB || countA - countB;
  });
  const mails: ReceivedMail[] = [];
  for (const file of files) {
    const parsed = await simpleParser(fs.readFileSync(path.join(dir, file)));
    const to = Array.isArray(parsed.to) ? parsed.to.map((address) => address.text).join(', ') : (parsed.to?.text ?? '');
    mails.push({
      messageId: parsed.messageId ?? '',
      to,
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      attachments: parsed.attachments.map((attachment) => attachment.filename ?? ''),
    });
  }
  return mails;
}
