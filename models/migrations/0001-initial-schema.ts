import type { QueryInterface } from 'sequelize';

/**
 * Creates every table of the order-to-cash flow. Each document table has an `idempotency_key` with a
 * unique constraint: activities derive the key from the workflow id and the step, so a retried activity
 * finds the row it wrote before instead of writing a second one.
 */
export async function up({ context }: { context: QueryInterface }): Promise<void> {
  await context.sequelize.query(`
    CREATE TABLE company_settings (
      id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      name text NOT NULL,
      currency char(3) NOT NULL,
      address jsonb NOT NULL,
      email_from text NOT NULL
    );

    CREATE TABLE users (
      key text PRIMARY KEY,
      name text NOT NULL,
      email text NOT NULL,
      roles text[] NOT NULL DEFAULT '{}'
    );

    CREATE TABLE customers (
      id serial PRIMARY KEY,
      company text NOT NULL UNIQUE,
      contact_name text NOT NULL,
      contact_email text NOT NULL,
      contact_phone text,
      billing_address jsonb NOT NULL,
      shipping_address jsonb NOT NULL,
      tax_rate_percent numeric(7, 4) NOT NULL CHECK (tax_rate_percent >= 0 AND tax_rate_percent <= 100),
      payment_terms_days integer NOT NULL CHECK (payment_terms_days >= 0),
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE products (
      sku text PRIMARY KEY,
      name text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('goods', 'service')),
      unit_price numeric(18, 4) NOT NULL CHECK (unit_price >= 0),
      on_hand integer CHECK (on_hand >= 0),
      weight_kg numeric(12, 3),
      CHECK ((kind = 'goods') = (on_hand IS NOT NULL))
    );

    CREATE SEQUENCE deal_number_seq;
    CREATE SEQUENCE estimate_number_seq;
    CREATE SEQUENCE order_number_seq;
    CREATE SEQUENCE receipt_number_seq;
    CREATE SEQUENCE shipment_number_seq;
    CREATE SEQUENCE invoice_number_seq;

    CREATE TABLE deals (
      number integer PRIMARY KEY,
      workflow_id text NOT NULL UNIQUE,
      customer_id integer NOT NULL REFERENCES customers (id),
      owner text NOT NULL REFERENCES users (key),
      phase text NOT NULL,
      stage text,
      title text NOT NULL,
      source text,
      estimated_value numeric(18, 4),
      estimate_number text,
      order_number text,
      currency char(3) NOT NULL,
      total numeric(18, 4),
      outcome_reason text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE INDEX deals_phase_idx ON deals (phase, number DESC);
    CREATE INDEX deals_owner_idx ON deals (owner, number DESC);
    CREATE INDEX deals_customer_idx ON deals (customer_id, number DESC);

    CREATE TABLE timeline_entries (
      id bigserial PRIMARY KEY,
      deal_number integer NOT NULL REFERENCES deals (number),
      seq integer NOT NULL,
      at timestamptz NOT NULL,
      actor text NOT NULL,
      event text NOT NULL,
      summary text NOT NULL,
      data jsonb NOT NULL DEFAULT '{}',
      documents text[] NOT NULL DEFAULT '{}',
      result jsonb,
      idempotency_key text NOT NULL UNIQUE,
      UNIQUE (deal_number, seq)
    );

    CREATE TABLE follow_ups (
      deal_number integer NOT NULL REFERENCES deals (number),
      seq integer NOT NULL,
      channel text NOT NULL,
      subject text NOT NULL,
      owner text NOT NULL REFERENCES users (key),
      due_at timestamptz NOT NULL,
      remind_at timestamptz NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'completed', 'cancelled')),
      outcome text,
      PRIMARY KEY (deal_number, seq)
    );

    CREATE TABLE estimates (
      number text PRIMARY KEY,
      deal_number integer NOT NULL UNIQUE REFERENCES deals (number),
      created_at timestamptz NOT NULL
    );

    CREATE TABLE estimate_revisions (
      estimate_number text NOT NULL REFERENCES estimates (number),
      revision integer NOT NULL CHECK (revision > 0),
      status text NOT NULL,
      valid_for_days integer NOT NULL,
      valid_until date,
      sent_at timestamptz,
      currency char(3) NOT NULL,
      tax_rate_percent numeric(7, 4) NOT NULL,
      lines jsonb NOT NULL,
      subtotal numeric(18, 4) NOT NULL,
      tax numeric(18, 4) NOT NULL,
      total numeric(18, 4) NOT NULL,
      notes text,
      customer_comment text,
      accepted_by text,
      purchase_order_ref text,
      idempotency_key text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (estimate_number, revision)
    );

    CREATE TABLE sales_orders (
      number text PRIMARY KEY,
      deal_number integer NOT NULL UNIQUE REFERENCES deals (number),
      estimate_number text NOT NULL REFERENCES estimates (number),
      estimate_revision integer NOT NULL,
      purchase_order_ref text,
      currency char(3) NOT NULL,
      subtotal numeric(18, 4) NOT NULL,
      tax numeric(18, 4) NOT NULL,
      total numeric(18, 4) NOT NULL,
      status text NOT NULL,
      idempotency_key text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL
    );

    CREATE TABLE order_lines (
      order_number text NOT NULL REFERENCES sales_orders (number),
      line_no integer NOT NULL,
      sku text NOT NULL REFERENCES products (sku),
      description text NOT NULL,
      kind text NOT NULL,
      quantity integer NOT NULL CHECK (quantity > 0),
      unit_price numeric(18, 4) NOT NULL,
      discount_percent numeric(7, 4) NOT NULL,
      net numeric(18, 4) NOT NULL,
      tax numeric(18, 4) NOT NULL,
      shipped_quantity integer NOT NULL DEFAULT 0 CHECK (shipped_quantity BETWEEN 0 AND quantity),
      invoiced_quantity integer NOT NULL DEFAULT 0 CHECK (invoiced_quantity BETWEEN 0 AND quantity),
      PRIMARY KEY (order_number, line_no)
    );

    CREATE TABLE qa_inspections (
      id serial PRIMARY KEY,
      order_number text NOT NULL REFERENCES sales_orders (number),
      seq integer NOT NULL,
      result text NOT NULL CHECK (result IN ('passed', 'failed')),
      inspector text NOT NULL REFERENCES users (key),
      checklist jsonb NOT NULL,
      notes text,
      inspected_at timestamptz NOT NULL,
      idempotency_key text NOT NULL UNIQUE,
      UNIQUE (order_number, seq)
    );

    CREATE TABLE sales_receipts (
      number text PRIMARY KEY,
      order_number text NOT NULL UNIQUE REFERENCES sales_orders (number),
      currency char(3) NOT NULL,
      total numeric(18, 4) NOT NULL,
      idempotency_key text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL
    );

    CREATE TABLE shipments (
      number text PRIMARY KEY,
      order_number text NOT NULL REFERENCES sales_orders (number),
      carrier text NOT NULL,
      tracking_number text NOT NULL,
      lines jsonb NOT NULL,
      idempotency_key text NOT NULL UNIQUE,
      shipped_at timestamptz NOT NULL
    );

    CREATE TABLE stock_movements (
      id bigserial PRIMARY KEY,
      sku text NOT NULL REFERENCES products (sku),
      quantity integer NOT NULL CHECK (quantity <> 0),
      reason text NOT NULL,
      document_number text NOT NULL,
      idempotency_key text NOT NULL UNIQUE,
      moved_at timestamptz NOT NULL
    );

    CREATE TABLE invoices (
      number text PRIMARY KEY,
      deal_number integer NOT NULL REFERENCES deals (number),
      order_number text NOT NULL REFERENCES sales_orders (number),
      issue_date date NOT NULL,
      due_date date NOT NULL,
      currency char(3) NOT NULL,
      subtotal numeric(18, 4) NOT NULL,
      tax numeric(18, 4) NOT NULL,
      total numeric(18, 4) NOT NULL,
      amount_paid numeric(18, 4) NOT NULL DEFAULT 0 CHECK (amount_paid >= 0 AND amount_paid <= total),
      status text NOT NULL CHECK (status IN ('draft', 'sent', 'paid')),
      sent_at timestamptz,
      idempotency_key text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX invoices_status_idx ON invoices (status, due_date);

    CREATE TABLE invoice_lines (
      invoice_number text NOT NULL REFERENCES invoices (number),
      line_no integer NOT NULL,
      order_line_no integer NOT NULL,
      sku text NOT NULL,
      description text NOT NULL,
      quantity integer NOT NULL CHECK (quantity > 0),
      unit_price numeric(18, 4) NOT NULL,
      discount_percent numeric(7, 4) NOT NULL,
      net numeric(18, 4) NOT NULL,
      tax numeric(18, 4) NOT NULL,
      PRIMARY KEY (invoice_number, line_no)
    );

    CREATE TABLE payments (
      id serial PRIMARY KEY,
      invoice_number text NOT NULL REFERENCES invoices (number),
      amount numeric(18, 4) NOT NULL CHECK (amount > 0),
      method text NOT NULL,
      reference text NOT NULL,
      recorded_by text NOT NULL,
      received_at timestamptz NOT NULL,
      idempotency_key text NOT NULL UNIQUE,
      UNIQUE (invoice_number, reference)
    );

    CREATE TABLE emails (
      id serial PRIMARY KEY,
      idempotency_key text NOT NULL UNIQUE,
      deal_number integer REFERENCES deals (number),
      kind text NOT NULL,
      recipient text NOT NULL,
      subject text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'sent')),
      message_id text NOT NULL,
      outbox_path text,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz
    );
  `);
}

export async function down({ context }: { context: QueryInterface }): Promise<void> {
  await context.sequelize.query(`
    DROP TABLE emails, payments, invoice_lines, invoices, stock_movements, shipments, sales_receipts,
      qa_inspections, order_lines, sales_orders, estimate_revisions, estimates, follow_ups,
      timeline_entries, deals, products, customers, users, company_settings;
    DROP SEQUENCE deal_number_seq, estimate_number_seq, order_number_seq, receipt_number_seq,
      shipment_number_seq, invoice_number_seq;
  `);
}
