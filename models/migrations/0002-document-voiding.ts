import type { QueryInterface } from 'sequelize';

/** Lets a cancelled deal void its sales receipt and records why and when documents were voided. */
export async function up({ context }: { context: QueryInterface }): Promise<void> {
  await context.sequelize.query(`
    ALTER TABLE sales_receipts ADD COLUMN status text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'void'));
    ALTER TABLE sales_receipts ADD COLUMN voided_at timestamptz;
    ALTER TABLE sales_orders ADD COLUMN cancelled_at timestamptz;
    ALTER TABLE estimate_revisions ADD COLUMN voided_at timestamptz;
  `);
}

export async function down({ context }: { context: QueryInterface }): Promise<void> {
  await context.sequelize.query(`
    ALTER TABLE sales_receipts DROP COLUMN status, DROP COLUMN voided_at;
    ALTER TABLE sales_orders DROP COLUMN cancelled_at;
    ALTER TABLE estimate_revisions DROP COLUMN voided_at;
  `);
}
