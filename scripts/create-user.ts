import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { openDatabase, type Database } from '../models/db';
import { issueApiKey } from '../models/api-keys';
import { roles, type Role } from '../domain/roles';
import { embeddedDatabaseUrl } from '../worker/embedded-database-url';

/**
 * Creates users (or updates their name, email and roles) and prints a new API key for each, once.
 * Only a hash of the key is stored, so a lost key is replaced by running this again.
 *
 *   npm run create-user -- --key dana --name "Dana Okafor" --email dana@example.com --roles sales_manager
 *   npm run create-user -- --seed scenarios/glocial-machineries.json
 *
 * DATABASE_URL selects the database; without it, the embedded PostgreSQL of a running `npm start`.
 */

export interface UserSpec {
  key: string;
  name: string;
  email: string;
  roles: string[];
}

function validate(user: UserSpec): void {
  if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(user.key)) {
    throw new Error(`invalid user key "${user.key}": use lower-case letters, digits, dots, dashes or underscores`);
  }
  const unknown = user.roles.filter((role) => !roles.includes(role as Role));
  if (unknown.length > 0) throw new Error(`unknown role ${unknown.join(', ')} for ${user.key}; roles are ${roles.join(', ')}`);
  if (!/^[^@\s]+@[^@\s]+$/.test(user.email)) throw new Error(`invalid email "${user.email}" for ${user.key}`);
}

/** Creates or updates each user and returns a fresh API key per user key. */
export async function createUsersWithKeys(db: Database, users: UserSpec[]): Promise<Map<string, string>> {
  users.forEach(validate);
  const keys = new Map<string, string>();
  for (const user of users) {
    await db.models.User.upsert({ ...user } as Record<string, unknown>);
    keys.set(user.key, await issueApiKey(db, user.key));
  }
  return keys;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      key: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      roles: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  let users: UserSpec[];
  if (values.seed) {
    users = (JSON.parse(fs.readFileSync(values.seed, 'utf8')) as { users: UserSpec[] }).users;
  } else if (values.key && values.name && values.email && values.roles) {
    users = [{ key: values.key, name: values.name, email: values.email, roles: values.roles.split(',').map((role) => role.trim()) }];
  } else {
    throw new Error('give --seed FILE, or --key, --name, --email and --roles (comma-separated)');
  }
  const db = openDatabase(process.env.DATABASE_URL ?? embeddedDatabaseUrl());
  try {
    const keys = await createUsersWithKeys(db, users);
    console.log('Each key is shown this once; only its hash is stored.');
    for (const [user, apiKey] of keys) console.log(`${user}\t${apiKey}`);
  } finally {
    await db.sequelize.close();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(`create-user failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
}
