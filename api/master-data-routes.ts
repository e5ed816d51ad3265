import { Router } from 'express';
import { UniqueConstraintError } from 'sequelize';
import { z } from 'zod';
import type { Database } from '../models/db';
import { isDecimalString } from '../domain/money';
import { parseBody, parsePositiveInt } from './parse';
import { requirePermission } from './auth';
import { ProblemError } from './problem';

const addressSchema = z.object({
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  region: z.string().trim().max(100).optional(),
  postalCode: z.string().trim().min(1).max(20),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US'),
});

export const customerSchema = z.object({
  company: z.string().trim().min(1).max(200),
  contact: z.object({
    name: z.string().trim().min(1).max(200),
    email: z.email(),
    phone: z.string().trim().max(50).optional(),
  }),
  billingAddress: addressSchema,
  shippingAddress: addressSchema,
  taxRatePercent: z
    .string()
    .refine((value) => isDecimalString(value) && Number(value) >= 0 && Number(value) <= 100, 'must be a decimal string from 0 to 100'),
  paymentTermsDays: z.number().int().min(0).max(365),
});

/** Users, products and customers: the master data deals refer to. */
export function createMasterDataRouter(db: Database): Router {
  const router = Router();
  const { User, Product, Customer } = db.models;

  router.get('/users', async (_req, res) => {
    res.json({ items: (await User.findAll({ order: [['key', 'ASC']] })).map((row) => row.get({ plain: true })) });
  });

  router.get('/products', async (_req, res) => {
    res.json({ items: (await Product.findAll({ order: [['sku', 'ASC']] })).map((row) => row.get({ plain: true })) });
  });

  router.get('/customers', async (_req, res) => {
    res.json({ items: (await Customer.findAll({ order: [['id', 'ASC']] })).map((row) => row.get({ plain: true })) });
  });

  router.get('/customers/:id', async (req, res) => {
    const id = parsePositiveInt(req.params.id, 'customer id');
    const customer = await Customer.findByPk(id);
    if (!customer) throw new ProblemError('notFound', `customer ${id} not found`);
    res.json(customer.get({ plain: true }));
  });

  router.post('/customers', async (req, res) => {
    requirePermission(res, 'create customer');
    const body = parseBody(customerSchema, req.body);
    try {
      const customer = await Customer.create({
        company: body.company,
        contactName: body.contact.name,
        contactEmail: body.contact.email,
        contactPhone: body.contact.phone ?? null,
        billingAddress: body.billingAddress,
        shippingAddress: body.shippingAddress,
        taxRatePercent: body.taxRatePercent,
        paymentTermsDays: body.paymentTermsDays,
      });
      res.status(201).location(`/customers/${customer.get('id')}`).json(customer.get({ plain: true }));
    } catch (error) {
      if (error instanceof UniqueConstraintError) {
        const existing = await Customer.findOne({ where: { company: body.company } });
        throw new ProblemError('conflict', `customer "${body.company}" already exists with id ${existing?.get('id')}`);
      }
      throw error;
    }
  });

  return router;
}
