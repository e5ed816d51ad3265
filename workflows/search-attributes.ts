import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes of a deal workflow, kept current as the deal moves, so operators can filter deals
 * in the Temporal Web UI or with `temporal workflow list --query "DealPhase = 'payment'"`.
 */
export const dealPhaseKey = defineSearchAttributeKey('DealPhase', SearchAttributeType.KEYWORD);
export const dealOwnerKey = defineSearchAttributeKey('DealOwner', SearchAttributeType.KEYWORD);
export const customerNameKey = defineSearchAttributeKey('CustomerName', SearchAttributeType.KEYWORD);
export const customerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.INT);
export const orderNumberKey = defineSearchAttributeKey('OrderNumber', SearchAttributeType.KEYWORD);
export const invoiceNumbersKey = defineSearchAttributeKey('InvoiceNumbers', SearchAttributeType.KEYWORD_LIST);

export const dealSearchAttributeKeys = [
  dealPhaseKey,
  dealOwnerKey,
  customerNameKey,
  customerIdKey,
  orderNumberKey,
  invoiceNumbersKey,
];
