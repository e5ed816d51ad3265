import { Router } from 'express';
import { Op, Sequelize, type WhereOptions } from 'sequelize';
import { z } from 'zod';
import type { Database } from '../models/db';
import { createLeadSchema } from '../domain/step-inputs';
import { phases } from '../domain/deal-state';
import type { DealService } from './deal-service';
import type { ReferenceChecks } from './reference-checks';
import { parseBody, parsePositiveInt } from './parse';
import { requirePermission, withActor } from './auth';
import { validationProblem } from './problem';

const listQuerySchema = z.object({
  phase: z.enum(phases).optional(),
  q: z.string().trim().min(2, 'must have at least 2 characters').max(100).optional(),
  owner: z.string().min(1).optional(),
  customerId: z.coerce.number().int().positive().optional(),
  after: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Case-insensitive substring match on a deal's title and customer name, served by a trigram index. */
function textMatch(q: string) {
  const pattern = `%${q.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
  return Sequelize.where(Sequelize.literal(`(title || ' ' || customer_name)`), { [Op.iLike]: pattern });
}

/** Creating a deal (its lead), reading one deal from its workflow, and listing deals from PostgreSQL. */
export function createDealRouter(deals: DealService, checks: ReferenceChecks, db: Database): Router {
  const router = Router();

  router.post('/deals', async (req, res) => {
    const user = requirePermission(res, 'create lead');
    const body = parseBody(createLeadSchema, withActor(req.body, user));
    await checks.requireCustomer(body.customerId);
    const state = await deals.createDeal(body);
    res.status(201).location(`/deals/${state.dealNumber}`).json(state);
  });

  router.get('/deals/:number', async (req, res) => {
    const dealNumber = parsePositiveInt(req.params.number, 'deal number');
    res.json(await deals.getDeal(dealNumber));
  });

  // Newest first; `after` is the last deal number of the previous page, so pages stay stable while
  // new deals are created.
  router.get('/deals', async (req, res) => {
    const parsed = listQuerySchema.safeParse(req.query);
    if (!parsed.success) throw validationProblem(parsed.error, 'query');
    const { phase, owner, customerId, after, limit, q } = parsed.data;
    const where: WhereOptions = {
      ...(phase ? { phase } : {}),
      ...(owner ? { owner } : {}),
      ...(customerId ? { customerId } : {}),
      ...(after ? { number: { [Op.lt]: after } } : {}),
      ...(q ? { [Op.and]: [textMatch(q)] } : {}),
    };
    const rows = await db.models.Deal.findAll({ where, order: [['number', 'DESC']], limit });
    const items = rows.map((row) => row.get({ plain: true }));
    const last = items[items.length - 1];
    res.json({ items, nextCursor: items.length === limit && last ? String(last.number) : null });
  });

  return router;
}
