export { renderDocumentPdf } from './render';
export { InvalidDocumentError, validateDocument } from './validate';
export type * from './types';
