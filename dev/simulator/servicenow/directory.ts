import { createHash } from 'node:crypto';

import type { SimRecord } from './store';

/**
 * The seeded sys_user and sys_user_group tables: enough people and groups for references, their
 * display values, and sysparm_input_display_value lookups. Ids of the out-of-box records are the
 * ones every instance ships with (admin, Network, Database… as seen in the reference samples).
 */
const SEED_TIME = '2016-01-01 00:00:00';

const SEEDED_USERS = [
  { sys_id: '6816f79cc0a8016401c5a33be04be441', user_name: 'admin', name: 'System Administrator' },
  { sys_id: '46d44a23a9fe19810012d100cca80666', user_name: 'beth.anglin', name: 'Beth Anglin' },
  { sys_id: '5137153cc611227c000bbd1bd8cd2005', user_name: 'fred.luddy', name: 'Fred Luddy' },
  { sys_id: '9ee1b13dc6112271007f9d0efdb69cd0', user_name: 'itil', name: 'ITIL User' },
];

const SEEDED_GROUPS = [
  { sys_id: 'global', name: 'global' },
  { sys_id: 'd625dccec0a8016700a222a0f7900d06', name: 'Service Desk' },
  { sys_id: '287ebd7da9fe198100f92cc8d1d2154e', name: 'Network' },
  { sys_id: '287ee6fea9fe198100ada7950d0b1b73', name: 'Database' },
  { sys_id: '8a5055c9c61122780043563ef53438e3', name: 'Hardware' },
];

/** Tables the simulator always serves, whatever `tables` says. */
export const DIRECTORY_TABLES = ['sys_user', 'sys_user_group'] as const;

/** A configured API user's sys_user id: derived from the name so it is stable across restarts. */
export function userSysId(username: string): string {
  const seeded = SEEDED_USERS.find((user) => user.user_name === username);
  return seeded?.sys_id ?? createHash('md5').update(`sys_user:${username}`).digest('hex');
}

function systemFields(table: string, sysId: string): SimRecord {
  return {
    sys_id: sysId,
    sys_class_name: table,
    sys_created_on: SEED_TIME,
    sys_updated_on: SEED_TIME,
    sys_created_by: 'admin',
    sys_updated_by: 'admin',
    sys_mod_count: '0',
    active: 'true',
  };
}

export function seedUsers(apiUsernames: readonly string[]): SimRecord[] {
  const apiUsers = apiUsernames
    .filter((username) => !SEEDED_USERS.some((user) => user.user_name === username))
    .map((username) => ({ sys_id: userSysId(username), user_name: username, name: username }));
  return [...SEEDED_USERS, ...apiUsers].map((user) => ({
    ...systemFields('sys_user', user.sys_id),
    user_name: user.user_name,
    name: user.name,
    email: `${user.user_name}@example.com`,
  }));
}

export function seedGroups(): SimRecord[] {
  return SEEDED_GROUPS.map((group) => ({ ...systemFields('sys_user_group', group.sys_id), name: group.name }));
}

const DISPLAY_FIELDS: Readonly<Record<string, string>> = {
  sys_user: 'name',
  sys_user_group: 'name',
  incident: 'number',
};

/** The field a reference shows as its display value. */
export function displayFieldOf(table: string): string {
  return DISPLAY_FIELDS[table] ?? 'name';
}
