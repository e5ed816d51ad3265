import type { Database } from '../models/db';
import type { Mailer } from './mailer';
import { createDealActivities } from './deals';
import { createEstimateActivities } from './estimates';
import { createOrderActivities } from './orders';
import { createInvoiceActivities } from './invoices';
import { createEmailActivities, type PortalLinkSettings } from './email';
import { createCompensationActivities } from './compensations';

export interface ActivityDependencies {
  db: Database;
  mailer: Mailer;
  /** Domain part of generated Message-IDs, such as glocial-machineries.example. */
  messageIdDomain: string;
  portal: PortalLinkSettings;
}

/** Builds every activity of the deal workflow around shared dependencies, as the worker registers them. */
export function createActivities({ db, mailer, messageIdDomain, portal }: ActivityDependencies) {
  return {
    ...createDealActivities(db),
    ...createEstimateActivities(db),
    ...createOrderActivities(db),
    ...createInvoiceActivities(db),
    ...createCompensationActivities(db),
    ...createEmailActivities(db, mailer, messageIdDomain, portal),
  };
}

export type DealActivities = ReturnType<typeof createActivities>;
