import type { QueryInterface } from 'sequelize';

/**
 * Text search and list indexes: deals keep their customer's name, and a trigram index over title and
 * customer name serves `?q=` filters; invoices get indexes for the status lists.
 */
export async function up({ context }: { context: QueryInterface }): Promise<void> {
  await context.sequelize.query(`
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    ALTER TABLE deals ADD COLUMN customer_name text NOT NULL DEFAULT '';
    UPDATE deals d SET customer_name = c.company FROM customers c WHERE c.id = d.customer_id;
    CREATE INDEX deals_search_idx ON deals USING gin ((title || ' ' || customer_name) gin_trgm_ops);
    CREATE INDEX invoices_deal_idx ON invoices (deal_number);
    CREATE INDEX invoices_status_number_idx ON invoices (status, number DESC);
  `);
}

export async function down({ context }: { context: QueryInterface }): Promise<void> {
  await context.sequelize.query(`
    DROP INDEX invoices_status_number_idx;
    DROP INDEX invoices_deal_idx;
    DROP INDEX deals_search_idx;
    ALTER TABLE deals DROP COLUMN customer_name;
  `);
}
