import type { Database } from '../models/db';
import type { DealSettings } from '../domain/deal-state';
import type { Environment } from './config';
import { assertCurrency } from './config';
import { parseOverdueDays } from '../domain/dunning';

/** Reads the company's settings from the database and the environment, as new deals are started with. */
export async function loadDealSettings(db: Database, env: Environment): Promise<DealSettings & { emailFrom: string }> {
  const company = await db.models.CompanySettings.findByPk(1);
  if (!company) {
    throw new Error('company settings missing: start once with SEED_FILE pointing at a seed file to create them');
  }
  return {
    currency: assertCurrency(company.get('currency') as string),
    timeZone: env.COMPANY_TIME_ZONE,
    salesManager: env.SALES_MANAGER,
    followUpRemindBefore: env.FOLLOW_UP_REMIND_BEFORE,
    invoicingPolicy: env.INVOICING_POLICY,
    dunning: { remindBeforeDays: env.DUNNING_REMIND_BEFORE_DAYS, overdueDays: parseOverdueDays(env.DUNNING_OVERDUE_DAYS) },
    emailFrom: company.get('emailFrom') as string,
  };
}
