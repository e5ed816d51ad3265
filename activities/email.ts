import { ApplicationFailure, log } from '@temporalio/activity';
import { Op, QueryTypes } from 'sequelize';
import type { Database } from '../models/db';
import { readCompanySettings } from '../models/company-settings';
import type { Mailer } from './mailer';
import { renderEmail, type EmailContent } from './email-templates';
import { documentFileName, loadBusinessDocument, type DocumentRef } from '../models/document-loader';
import { renderDocumentPdf } from '../documents';
import { signPortalToken } from '../api/portal-token';

/** Recipient of an email: an address (the customer's contact), a user, or every user with a role. */
export type Recipient = { address: string } | { user: string } | { role: string };

export interface SendEmailInput {
  key: string;
  dealNumber: number;
  to: Recipient;
  content: EmailContent;
  /** A stored document to attach as a PDF, with the time zone its dates are printed in. */
  attachment?: { document: DocumentRef; timeZone: string };
}

/** Base URL and signing secret of customer portal links. */
export interface PortalLinkSettings {
  publicUrl: string;
  secret: string;
}

/** Days a portal link stays usable after its revision expires, so the customer can still read why. */
const PORTAL_LINK_GRACE_DAYS = 30;

export function createEmailActivities(db: Database, mailer: Mailer, messageIdDomain: string, portal: PortalLinkSettings) {
  const { Email, User } = db.models;

  async function resolveAddresses(to: Recipient): Promise<string[]> {
    if ('address' in to) return [to.address];
    const where = 'user' in to ? { key: to.user } : { roles: { [Op.contains]: [to.role] } };
    const users = await User.findAll({ where });
    if (users.length === 0) {
      const who = 'user' in to ? `user ${to.user}` : `any user with role ${to.role}`;
      throw ApplicationFailure.nonRetryable(`no email address found for ${who}`, 'NoRecipient');
    }
    return users.map((user) => user.get('email') as string);
  }

  /**
   * Sends one email at most once per key. The email row is written before sending and marked sent after,
   * so a retry after a successful send does nothing.
   * NOTE: a crash between the SMTP server accepting the message and the row being marked sent sends it
   * again on retry. The Message-ID is derived from the key, so mail clients show such a repeat once.
   */
  async function sendEmail(input: SendEmailInput): Promise<{ recipient: string; subject: string; status: 'sent' | 'already_sent' }> {
    const company = await readCompanySettings(db);
    const companyName = (company?.get('name') as string | undefined) ?? 'Sales';
    const content = input.content.kind === 'estimate' ? { ...input.content, portalUrl: portalLink(input.dealNumber, input.content) } : input.content;
    const { subject, text } = renderEmail(content, companyName, input.dealNumber);
    const recipient = (await resolveAddresses(input.to)).join(', ');
    const messageId = `<${input.key.replace(/[^A-Za-z0-9.-]/g, '.')}@${messageIdDomain}>`;

    const row = await claimEmailRow({
      key: input.key,
      dealNumber: input.dealNumber,
      kind: input.content.kind,
      recipient,
      subject,
      messageId,
    });
    if (row.status === 'sent') {
      log.info('email already sent; skipping', { key: input.key, recipient });
      return { recipient, subject, status: 'already_sent' };
    }

    const fileStem = `deal-${input.dealNumber}-${input.key.split('/').slice(1).join('-')}`.replace(/[^A-Za-z0-9.-]/g, '_');
    const attachments = input.attachment ? [await renderAttachment(input.attachment.document, input.attachment.timeZone)] : [];
    const delivery = await mailer.send({ messageId, to: recipient, subject, text, fileStem, attachments });
    await Email.update({ status: 'sent', sentAt: new Date(), outboxPath: delivery.outboxPath ?? null }, { where: { id: row.id } });
    log.info('email sent', { key: input.key, recipient, subject, outboxPath: delivery.outboxPath });
    return { recipient, subject, status: 'sent' };
  }

  /**
   * Inserts the email's row as pending unless its key has one, and returns the row. That is one statement
   * for a new email and two for a retry, where Sequelize's findOrCreate adds a transaction and a temporary
   * function.
   */
  async function claimEmailRow(email: { key: string; dealNumber: number; kind: string; recipient: string; subject: string; messageId: string }) {
    const [inserted] = await db.sequelize.query<{ id: number; status: string }>(
      `INSERT INTO emails (idempotency_key, deal_number, kind, recipient, subject, status, message_id, created_at)
       VALUES (:key, :dealNumber, :kind, :recipient, :subject, 'pending', :messageId, now())
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id, status`,
      { replacements: email, type: QueryTypes.SELECT },
    );
    if (inserted) return inserted;
    const existing = await Email.findOne({ where: { idempotencyKey: email.key }, attributes: ['id', 'status'] });
    if (!existing) throw new Error(`email row ${email.key} neither inserted nor found`);
    return { id: existing.get('id') as number, status: existing.get('status') as string };
  }

  function portalLink(dealNumber: number, estimate: { estimateNumber: string; revision: number; expiresAt: string }): string {
    const expiresAt = Date.parse(estimate.expiresAt) + PORTAL_LINK_GRACE_DAYS * 24 * 60 * 60 * 1000;
    const token = signPortalToken({ dealNumber, estimateNumber: estimate.estimateNumber, revision: estimate.revision, expiresAt }, portal.secret);
    return `${portal.publicUrl.replace(/\/$/, '')}/portal/${token}`;
  }

  async function renderAttachment(document: DocumentRef, timeZone: string) {
    const content = await renderDocumentPdf(await loadBusinessDocument(db, document, timeZone));
    return { filename: documentFileName(document), content, contentType: 'application/pdf' };
  }

  return { sendEmail };
}
