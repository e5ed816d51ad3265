import { type Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Logger } from 'pino';
import { dealSearchAttributeKeys } from '../workflows/search-attributes';

const indexedValueTypes: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * Registers the deal search attributes that the namespace lacks. Registering is idempotent, so every
 * process may call this at start-up; a server that already has them is left unchanged.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  logger?: Pick<Logger, 'info'>,
): Promise<string[]> {
  const known = await listCustomAttributes(connection, namespace);
  const missing = dealSearchAttributeKeys.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  const searchAttributes = Object.fromEntries(missing.map((key) => [key.name, indexedValueTypes[key.type]]));
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (error) {
    // Another process may have registered them between the list and the add.
    const again = await listCustomAttributes(connection, namespace);
    const stillMissing = missing.filter((key) => !again.has(key.name));
    if (stillMissing.length > 0) throw error;
  }
  logger?.info({ added: missing.map((key) => key.name), namespace }, 'search attributes registered');
  return missing.map((key) => key.name);
}

const UNIMPLEMENTED = 12;

/**
 * Lists the namespace's custom search attributes.
 * NOTE: Java's time-skipping test server accepts AddSearchAttributes but does not implement
 * ListSearchAttributes; there the list is taken as empty and every attribute is added.
 */
async function listCustomAttributes(connection: Connection, namespace: string): Promise<Set<string>> {
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    return new Set(Object.keys(existing.customAttributes ?? {}));
  } catch (error) {
    if ((error as { code?: number }).code === UNIMPLEMENTED) return new Set();
    throw error;
  }
}
