import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';

export interface MailSettings {
  from: string;
  /** SMTP server; when absent, messages are written as .eml files to `outboxDir` instead. */
  smtp?: { host: string; port: number; secure: boolean; user?: string; password?: string };
  outboxDir: string;
}

export interface OutgoingMail {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  fileStem: string;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

export interface Mailer {
  /** Delivers one message and returns where it went: the SMTP server's reply or the .eml file's path. */
  send(mail: OutgoingMail): Promise<{ outboxPath?: string; response?: string }>;
  close(): void;
}

export function createMailer(settings: MailSettings, logger?: Pick<Logger, 'info'>): Mailer {
  if (settings.smtp) {
    const { host, port, secure, user, password } = settings.smtp;
    const transport = nodemailer.createTransport({
      host,
      port,
      secure,
      ...(user ? { auth: { user, pass: password } } : {}),
    });
    return {
      async send(mail) {
        const info = await transport.sendMail({ from: settings.from, ...mail });
        return { response: info.response };
      },
      close: () => transport.close(),
    };
  }

  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const info = await transport.sendMail({ from: settings.from, ...mail });
      await fs.mkdir(settings.outboxDir, { recursive: true });
      const outboxPath = path.resolve(settings.outboxDir, `${mail.fileStem}.eml`);
      await fs.writeFile(outboxPath, info.message as Buffer);
      logger?.info({ outboxPath, to: mail.to, subject: mail.subject }, 'email written to outbox');
      return { outboxPath };
    },
    close: () => transport.close(),
  };
}
