import type { Database } from './db';

/** Master data a company starts with: its settings, users and product catalogue. */
export interface SeedData {
  company: { name: string; currency: string; address: Record<string, string>; emailFrom: string };
  users: { key: string; name: string; email: string; roles: string[] }[];
  products: { sku: string; name: string; kind: 'goods' | 'service'; unitPrice: string; onHand?: number; weightKg?: number }[];
}

/**
 * Inserts the company settings, users and products that are missing. Rows that already exist are left
 * alone, so stock levels and edits made since the last start survive a restart.
 */
export async function seedMasterData(db: Database, seed: SeedData): Promise<void> {
  const { CompanySettings, User, Product } = db.models;
  return db.sequelize.transaction(async (transaction) => {
    await CompanySettings.findOrCreate({ where: { id: 1 }, defaults: { id: 1, ...seed.company }, transaction });
    await User.bulkCreate(seed.users, { ignoreDuplicates: true, transaction });
    await Product.bulkCreate(
      seed.products.map((product) => ({ ...product, onHand: product.kind === 'goods' ? (product.onHand ?? 0) : null })),
      { ignoreDuplicates: true, transaction },
    );
  });
}
