import type { QueryInterface } from 'sequelize';

/**
 * Stock reservations: `products.reserved` is the part of on-hand stock promised to open orders, and
 * `order_lines.reserved_quantity` the part of a line held for it. A line's backorder is what is neither
 * reserved nor shipped. Stock receipts record goods coming in.
 */
export async function up({ context }: { context: QueryInterface }): Promise<void> {
  await context.sequelize.query(`
    ALTER TABLE products ADD COLUMN reserved integer NOT NULL DEFAULT 0;
    ALTER TABLE products ADD CONSTRAINT products_reserved_within_on_hand
      CHECK (reserved >= 0 AND (on_hand IS NULL AND reserved = 0 OR reserved <= on_hand));

    ALTER TABLE order_lines ADD COLUMN reserved_quantity integer NOT NULL DEFAULT 0;
    ALTER TABLE order_lines ADD CONSTRAINT order_lines_reserved_within_open
      CHECK (reserved_quantity >= 0 AND reserved_quantity + shipped_quantity <= quantity);
    CREATE INDEX order_lines_backorder_idx ON order_lines (sku) WHERE kind = 'goods';

    CREATE TABLE stock_receipts (
      id serial PRIMARY KEY,
      sku text NOT NULL REFERENCES products (sku),
      quantity integer NOT NULL CHECK (quantity > 0),
      reference text NOT NULL UNIQUE,
      received_by text NOT NULL REFERENCES users (key),
      received_at timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down({ context }: { context: QueryInterface }): Promise<void> {
  await context.sequelize.query(`
    DROP TABLE stock_receipts;
    DROP INDEX order_lines_backorder_idx;
    ALTER TABLE order_lines DROP CONSTRAINT order_lines_reserved_within_open, DROP COLUMN reserved_quantity;
    ALTER TABLE products DROP CONSTRAINT products_reserved_within_on_hand, DROP COLUMN reserved;
  `);
}
