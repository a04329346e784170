import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { environmentOf, loadCompose, readRepoFile, readYaml, repoPath, serviceNamed } from './stack-files';

const METADATA_DIR = 'hasura/metadata';
const MIGRATIONS_DIR = 'hasura/migrations/default';
// What `hasura metadata export` writes for config v3; the cli-migrations-v3 image applies this directory.
const METADATA_FILES = [
  'version.yaml',
  'databases/databases.yaml',
  'actions.graphql',
  'actions.yaml',
  'allow_list.yaml',
  'api_limits.yaml',
  'cron_triggers.yaml',
  'graphql_schema_introspection.yaml',
  'inherited_roles.yaml',
  'network.yaml',
  'query_collections.yaml',
  'remote_schemas.yaml',
  'rest_endpoints.yaml',
];

interface HeaderConf {
  name: string;
  value?: string;
  value_from_env?: string;
}
interface OperationSpec {
  columns: '*' | string[];
}
interface EventTrigger {
  name: string;
  definition: { enable_manual?: boolean; insert?: OperationSpec; update?: OperationSpec; delete?: OperationSpec };
  retry_conf: { num_retries: number; interval_sec: number; timeout_sec?: number };
  webhook?: string;
  headers?: HeaderConf[];
}
interface Permission {
  role: string;
  permission: { columns: string[]; filter: object; check?: object; backend_only?: boolean };
}
interface TableMetadata {
  table: { name: string; schema: string };
  event_triggers?: EventTrigger[];
  select_permissions?: Permission[];
  update_permissions?: Permission[];
}
interface SourceMetadata {
  name: string;
  kind: string;
  configuration: { connection_info: { database_url: { from_env?: string } } };
  tables: string;
}

/** Follows the `"!include path"` strings the Hasura CLI resolves, relative to the including file. */
function resolveInclude<T>(fromFile: string, value: string): T {
  const included = value.replace(/^!include /, '');
  return readYaml<T>(join(dirname(fromFile), included));
}

function loadTables(): TableMetadata[] {
  const databasesFile = `${METADATA_DIR}/databases/databases.yaml`;
  const [source] = readYaml<SourceMetadata[]>(databasesFile);
  const tablesFile = join(dirname(databasesFile), source.tables.replace(/^!include /, ''));
  return resolveInclude<string[]>(databasesFile, source.tables).map((entry) =>
    resolveInclude<TableMetadata>(tablesFile, entry),
  );
}

const incidentTable = () =>
  loadTables().find((t) => t.table.schema === 'public' && t.table.name === 'incident_request');

function incidentTrigger(): EventTrigger {
  const trigger = incidentTable()?.event_triggers?.find((t) => t.name === 'create_servicenow_incident');
  if (!trigger) throw new Error('public.incident_request has no create_servicenow_incident event trigger');
  return trigger;
}

const compose = loadCompose();
const hasuraEnv = environmentOf(serviceNamed(compose, 'hasura'));
const apiEnv = environmentOf(serviceNamed(compose, 'bridge-api'));

describe('Hasura metadata (config v3)', () => {
  test('when the metadata directory is read, then every v3 file exists and the YAML files parse', () => {
    for (const file of METADATA_FILES.filter((name) => name.endsWith('.yaml'))) {
      expect(() => readYaml(`${METADATA_DIR}/${file}`)).not.toThrow();
    }
    expect(() => readRepoFile(`${METADATA_DIR}/actions.graphql`)).not.toThrow();
    expect(readYaml(`${METADATA_DIR}/version.yaml`)).toEqual({ version: 3 });
  });

  test('when the default source connects, then it takes its URL from a variable the hasura service sets', () => {
    const [source] = readYaml<SourceMetadata[]>(`${METADATA_DIR}/databases/databases.yaml`);
    expect(source).toMatchObject({ name: 'default', kind: 'postgres' });
    const variable = source.configuration.connection_info.database_url.from_env;
    expect(variable).toBe('PG_DATABASE_URL');
    expect(hasuraEnv[variable!]).toMatch(/@postgres:5432\/app$/);
  });

  test('when the event trigger is defined, then it fires on every change the bridge handles and can be invoked by hand', () => {
    expect(incidentTrigger()).toMatchObject({
      definition: {
        enable_manual: true,
        insert: { columns: '*' },
        update: { columns: ['status', 'priority', 'title', 'description'] },
        delete: { columns: '*' },
      },
      retry_conf: { num_retries: 10, interval_sec: 10, timeout_sec: 30 },
    });
  });

  test('when Hasura sends the secret header, then its name is the one the bridge checks and its value the bridge secret', () => {
    const headers = incidentTrigger().headers ?? [];
    expect(headers).toHaveLength(1);
    const [header] = headers;
    expect(header.name.toLowerCase()).toBe(apiEnv.WEBHOOK_SECRET_HEADER.toLowerCase());
    expect(header.value).toBeUndefined();
    expect(hasuraEnv[header.value_from_env!]).toBe(apiEnv.WEBHOOK_SECRET);
  });

  test('when the webhook URL template is resolved, then it reaches the bridge-api service on the port it listens on', () => {
    const template = incidentTrigger().webhook ?? '';
    const variable = /^\{\{([A-Z_]+)\}\}$/.exec(template)?.[1];
    expect(variable).toBeDefined();
    const url = new URL(hasuraEnv[variable!]);
    expect(url.hostname).toBe('bridge-api');
    expect(url.port).toBe(apiEnv.PORT);
    expect(readRepoFile('src/api/app.ts')).toContain(`'${url.pathname}'`);
  });
});

describe('write-back through Hasura (README "Keeping it loop-free")', () => {
  const bridgeConfig = readYaml<{
    source: { hasura: { role: string; url: string } };
    triggers: Record<string, { writeback: { via: string; columns: object; error_columns: object } }>;
  }>('deploy/bridge/bridge.yaml');
  const { writeback } = bridgeConfig.triggers.create_servicenow_incident;
  const written = [...new Set([...Object.keys(writeback.columns), ...Object.keys(writeback.error_columns)])];
  const migrations = readdirSync(repoPath(MIGRATIONS_DIR)).map((name) =>
    readRepoFile(`${MIGRATIONS_DIR}/${name}/up.sql`),
  );

  test("when the bridge writes back, then its role's update permission is backend-only and covers exactly its columns", () => {
    const role = bridgeConfig.source.hasura.role;
    const update = incidentTable()?.update_permissions?.find((p) => p.role === role);
    expect(writeback.via).toBe('hasura');
    expect(update?.permission.backend_only).toBe(true);
    expect([...(update?.permission.columns ?? [])].sort()).toEqual([...written].sort());
    // update_<table>_by_pk needs select on the primary key.
    expect(incidentTable()?.select_permissions?.find((p) => p.role === role)?.permission.columns).toEqual(['id']);
  });

  test('when the trigger listens to updates, then it listens to none of the write-back columns', () => {
    const listened = incidentTrigger().definition.update?.columns;
    expect(Array.isArray(listened)).toBe(true);
    expect((listened as string[]).filter((column) => written.includes(column))).toEqual([]);
  });

  test('when the migrations run, then every write-back column is added to the sample table', () => {
    for (const column of written) expect(migrations.join('\n')).toMatch(new RegExp(`ADD COLUMN ${column} `));
  });

  test('when the bridge reaches Hasura, then it uses the hasura service and the admin secret Hasura is given', () => {
    const workerEnv = environmentOf(serviceNamed(compose, 'bridge-worker'));
    expect(new URL(bridgeConfig.source.hasura.url).hostname).toBe('hasura');
    expect(workerEnv.HASURA_ADMIN_SECRET).toBe(hasuraEnv.HASURA_GRAPHQL_ADMIN_SECRET);
    expect(workerEnv.SOURCE_DATABASE_URL).toBe(hasuraEnv.PG_DATABASE_URL);
  });
});

describe('Hasura migrations', () => {
  const migrations = readdirSync(repoPath(MIGRATIONS_DIR)).sort();
  const createTable = migrations.find((name) => name.endsWith('_create_incident_request'));
  const upSql = readRepoFile(`${MIGRATIONS_DIR}/${createTable}/up.sql`);

  test('when migrations are listed, then each is named <millisecond timestamp>_<name> and has up and down SQL', () => {
    for (const name of migrations) {
      expect(name).toMatch(/^\d{13}_[a-z0-9_]+$/);
      expect(readRepoFile(`${MIGRATIONS_DIR}/${name}/up.sql`).trim()).not.toBe('');
      expect(readRepoFile(`${MIGRATIONS_DIR}/${name}/down.sql`).trim()).not.toBe('');
    }
    expect(createTable).toBeDefined();
  });

  test('when the trigger listens to updated columns, then the migration creates each of them', () => {
    const tableBody = /CREATE TABLE public\.incident_request \(([\s\S]*?)\n\);/.exec(upSql)?.[1] ?? '';
    const columns = tableBody
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0])
      .filter(Boolean);
    expect(columns).toEqual([
      'id',
      'title',
      'description',
      'priority',
      'status',
      'reporter_email',
      'created_at',
      'updated_at',
    ]);
    const listened = incidentTrigger().definition.update?.columns;
    expect(Array.isArray(listened) && listened.every((column) => columns.includes(column))).toBe(true);
  });

  test('when a priority is stored, then only the four levels the mapping knows are accepted', () => {
    expect(upSql).toMatch(/priority text CHECK \(priority IN \('low', 'medium', 'high', 'critical'\)\)/);
    expect(upSql).toMatch(/id uuid PRIMARY KEY DEFAULT gen_random_uuid\(\)/);
  });
});
