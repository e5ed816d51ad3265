import { Sequelize } from 'sequelize';
import { defineModels, type Models } from './definitions';

export interface Database {
  sequelize: Sequelize;
  models: Models;
}

/**
 * Opens a connection pool to PostgreSQL and defines the models on it. Pool size is one setting for
 * the API and the worker together, since both run in one process under `npm start`.
 */
export function openDatabase(url: string, options: { poolMax?: number; logging?: (sql: string) => void } = {}): Database {
  const sequelize = new Sequelize(url, {
    dialect: 'postgres',
    logging: options.logging ?? false,
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000 },
  });
  return { sequelize, models: defineModels(sequelize) };
}
