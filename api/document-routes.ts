import { Router, type Response } from 'express';
import type { Database } from '../models/db';
import { DocumentNotFoundError, documentFileName, loadBusinessDocument, type DocumentRef } from '../models/document-loader';
import { renderDocumentPdf } from '../documents';
import { parsePositiveInt } from './parse';
import { ProblemError } from './problem';

const documentNumber = /^[A-Z]{2,3}-\d{6}$/;

function parseNumber(value: string, what: string): string {
  if (!documentNumber.test(value)) {
    throw new ProblemError('validation', `invalid ${what} number "${value}": expected a form such as INV-000123`, [
      { path: `${what} number`, message: 'must look like INV-000123' },
    ]);
  }
  return value;
}

/** PDF downloads of every stored document, rendered from the database on each request. */
export function createDocumentRouter(db: Database, timeZone: string): Router {
  const router = Router();

  async function sendPdf(res: Response, ref: DocumentRef): Promise<void> {
    try {
      const pdf = await renderDocumentPdf(await loadBusinessDocument(db, ref, timeZone));
      res.type('application/pdf').set('content-disposition', `inline; filename="${documentFileName(ref)}"`).send(pdf);
    } catch (error) {
      if (error instanceof DocumentNotFoundError) throw new ProblemError('notFound', error.message);
      throw error;
    }
  }

  router.get('/documents/estimates/:number/revisions/:revision', (req, res) =>
    sendPdf(res, { kind: 'estimate', number: parseNumber(req.params.number, 'estimate'), revision: parsePositiveInt(req.params.revision, 'revision') }),
  );
  router.get('/documents/orders/:number', (req, res) =>
    sendPdf(res, { kind: 'order_confirmation', number: parseNumber(req.params.number, 'order') }),
  );
  router.get('/documents/receipts/:number', (req, res) =>
    sendPdf(res, { kind: 'sales_receipt', number: parseNumber(req.params.number, 'receipt') }),
  );
  router.get('/documents/invoices/:number', (req, res) =>
    sendPdf(res, { kind: 'invoice', number: parseNumber(req.params.number, 'invoice') }),
  );
  router.get('/documents/payments/:id', (req, res) =>
    sendPdf(res, { kind: 'payment_receipt', paymentId: parsePositiveInt(req.params.id, 'payment id') }),
  );
  return router;
}
