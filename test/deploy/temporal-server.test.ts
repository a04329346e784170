import { COMPOSE_DYNAMIC_CONFIG, DB_PLUGIN, SCHEMA_SCRIPT } from '../../dev/temporal/cluster-server';
import { dependenciesOf, environmentOf, loadCompose, serviceNamed } from './stack-files';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TEMPORAL_SERVER_VERSION } = require('../../scripts/temporal-server.js');

/**
 * The compose file's Temporal must be the server the cluster test tier runs (test/cluster): same release,
 * same persistence plugin and schema job, same dynamic config. The tier proves those work; this keeps the
 * compose file from drifting away from them.
 */
const compose = loadCompose();
const temporal = serviceNamed(compose, 'temporal');
const schema = serviceNamed(compose, 'temporal-schema');
const CONNECTION_VARIABLES = ['POSTGRES_SEEDS', 'DB_PORT', 'POSTGRES_USER', 'POSTGRES_PWD'];

describe('docker-compose.yml Temporal against the cluster test tier', () => {
  test('when compose runs Temporal, then it is the release the tier builds, admin tools of the same release', () => {
    expect(temporal.image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    expect(schema.image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    expect(serviceNamed(compose, 'temporal-setup').image).toBe(schema.image);
  });

  test('when the server starts, then its schema job has run the script the tier runs, on the same database', () => {
    expect(dependenciesOf(temporal)).toMatchObject({ 'temporal-schema': 'service_completed_successfully' });
    const mount = (schema.volumes ?? []).find(
      (volume): volume is string => typeof volume === 'string' && volume.startsWith(`./${SCHEMA_SCRIPT}:`),
    );
    expect(schema.entrypoint).toEqual(['/bin/sh', mount?.split(':')[1]]);
    const [serverEnv, schemaEnv] = [environmentOf(temporal), environmentOf(schema)];
    for (const name of CONNECTION_VARIABLES) expect([name, schemaEnv[name]]).toEqual([name, serverEnv[name]]);
  });

  test("when the server reads its config, then it uses the tier's persistence plugin and dynamic config", () => {
    const env = environmentOf(temporal);
    expect(env.DB).toBe(DB_PLUGIN);
    expect(env.DYNAMIC_CONFIG_FILE_PATH.split('/').at(-1)).toBe(COMPOSE_DYNAMIC_CONFIG.split('/').at(-1));
    expect(env).not.toHaveProperty('DBNAME');
    expect(env).not.toHaveProperty('VISIBILITY_DBNAME');
  });
});
