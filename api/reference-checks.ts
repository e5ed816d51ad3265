import type { Database } from '../models/db';
import { ProblemError } from './problem';

/**
 * Checks that values naming stored records (users, products, customers) exist, so a step with a bad
 * reference is answered with 422 before it reaches the workflow.
 */
export class ReferenceChecks {
  constructor(private readonly db: Database) {}

  async requireUser(key: string, field: string): Promise<void> {
    const user = await this.db.models.User.findByPk(key);
    if (!user) {
      throw new ProblemError('unprocessable', `${field}: user "${key}" not found`, [
        { path: field, message: `user "${key}" not found` },
      ]);
    }
  }

  async requireCustomer(id: number): Promise<void> {
    const customer = await this.db.models.Customer.findByPk(id);
    if (!customer) {
      throw new ProblemError('unprocessable', `customerId: customer ${id} not found`, [
        { path: 'customerId', message: `customer ${id} not found` },
      ]);
    }
  }

  async requireProducts(lines: { sku: string }[]): Promise<void> {
    const skus = [...new Set(lines.map((line) => line.sku))];
    const found = await this.db.models.Product.findAll({ where: { sku: skus }, attributes: ['sku'] });
    const known = new Set(found.map((row) => row.get('sku') as string));
    const errors = lines
      .map((line, index) => ({ path: `lines.${index}.sku`, message: `unknown SKU "${line.sku}"` , sku: line.sku }))
      .filter((error) => !known.has(error.sku))
      .map(({ path, message }) => ({ path, message }));
    if (errors.length > 0) {
      throw new ProblemError('unprocessable', `${errors[0].path}: ${errors[0].message}`, errors);
    }
  }
}
