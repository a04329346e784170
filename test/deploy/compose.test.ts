import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { webhookHttpFromEnv } from '../../src/settings/http';
import { temporalConfigFromEnv } from '../../src/settings/temporal';
import {
  bindMountSources,
  COMPOSE_FILE,
  dependenciesOf,
  environmentOf,
  interpolatedVariables,
  loadCompose,
  publishedHostPorts,
  readRepoFile,
  repoFileExists,
  serviceNamed,
} from './stack-files';

// The variables the bridge processes read. TODO: replace with an import from src/config once the app's
// config module exports its variable names, so this list cannot drift from the code.
const APP_ENV_VARS = [
  'HOST',
  'PORT',
  'METRICS_PORT',
  'LOG_FORMAT',
  'LOG_LEVEL',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_TASK_QUEUE',
  'TEMPORAL_UI_URL',
  'WEBHOOK_SECRET',
  'WEBHOOK_SECRET_HEADER',
  'SERVICENOW_INSTANCE_URL',
  'SERVICENOW_USERNAME',
  'SERVICENOW_PASSWORD',
  'SMTP_HOST',
  'SMTP_PORT',
  'NOTIFY_EMAIL_FROM',
  'NOTIFY_EMAIL_TO',
  'CATCH_UP_INTERVAL',
  'BACKFILL_RATE_LIMIT_PER_SECOND',
  'BRIDGE_CONFIG',
];
/** The `{ env: NAME }` secret references of a service's BRIDGE_CONFIG (a mounted file): the worker reads them. */
function configFileVariables(service: ReturnType<typeof serviceNamed>): string[] {
  const target = environmentOf(service).BRIDGE_CONFIG;
  const mount = (service.volumes ?? []).find((volume) => String(volume).split(':')[1] === target);
  if (!target || !mount) return [];
  const text = readRepoFile(String(mount).split(':')[0].replace(/^\.\//, ''));
  return [...text.matchAll(/\{\s*env:\s*([A-Z][A-Z0-9_]*)\s*\}/g)].map((match) => match[1]);
}
const SIMULATOR_ENV_VARS = ['SIMULATOR_HOST', 'SIMULATOR_PORT', 'LOG_FORMAT', 'LOG_LEVEL'];
const BRIDGE_SERVICES = ['bridge-api', 'bridge-worker'];

const compose = loadCompose();
const services = Object.entries(compose.services);

function composeSchemaValidator() {
  const schema = JSON.parse(readRepoFile('test/deploy/compose-spec.schema.json'));
  return new Ajv2020({ allErrors: true, strict: false }).compile(schema);
}

describe('docker-compose.yml against the Compose specification', () => {
  const validate = composeSchemaValidator();

  test('when validated against the Compose spec JSON schema, then it has no errors', () => {
    validate(compose);
    expect(validate.errors ?? []).toEqual([]);
  });

  test('when a service key is misspelled, then the schema rejects the file', () => {
    const misspelled = parse('services:\n  api:\n    image: node:20\n    healtcheck: {test: [CMD, "true"]}\n');
    expect(validate(misspelled)).toBe(false);
  });

  test('when parsed, then it has no obsolete top-level version key', () => {
    expect(compose).not.toHaveProperty('version');
  });
});

describe('docker-compose.yml consistency', () => {
  test('when a service depends on another, then the target exists and has a healthcheck if it must be healthy', () => {
    const problems = services.flatMap(([name, service]) =>
      Object.entries(dependenciesOf(service)).flatMap(([target, condition]) => {
        const dependency = compose.services[target];
        if (!dependency) return [`${name} depends on missing service ${target}`];
        if (condition === 'service_healthy' && !dependency.healthcheck?.test)
          return [`${name} waits for ${target} to be healthy, but it has no healthcheck`];
        return [];
      }),
    );
    expect(problems).toEqual([]);
  });

  test('when a service keeps running, then it has a healthcheck', () => {
    const longRunning = services.filter(([, service]) => service.restart !== 'no');
    const withoutHealthcheck = longRunning.filter(([, service]) => !service.healthcheck?.test).map(([name]) => name);
    expect(withoutHealthcheck).toEqual([]);
  });

  test('when a host path is bind-mounted, then it exists in the repository', () => {
    const missing = services.flatMap(([name, service]) =>
      bindMountSources(service)
        .filter((source) => !repoFileExists(source))
        .map((source) => `${name}: ${source}`),
    );
    expect(missing).toEqual([]);
  });

  test('when the file interpolates a variable, then .env.example documents it, and documents nothing else', () => {
    const documented = [...readRepoFile('.env.example').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)]
      .map((match) => match[1])
      .sort();
    expect(documented).toEqual(interpolatedVariables(readRepoFile(COMPOSE_FILE)));
  });

  test('when ports are published, then every host port is published once', () => {
    const hostPorts = services.flatMap(([, service]) => publishedHostPorts(service));
    const duplicates = hostPorts.filter((port, index) => hostPorts.indexOf(port) !== index);
    expect(hostPorts.length).toBeGreaterThan(0);
    expect(duplicates).toEqual([]);
  });
});

describe('bridge services', () => {
  test('when compose passes environment to a bridge service, then the app reads every variable', () => {
    const unread = BRIDGE_SERVICES.flatMap((name) =>
      Object.keys(environmentOf(serviceNamed(compose, name)))
        .filter((key) => !APP_ENV_VARS.includes(key) && !configFileVariables(serviceNamed(compose, name)).includes(key))
        .map((key) => `${name}: ${key}`),
    );
    expect(unread).toEqual([]);
  });

  test('when compose passes environment to the simulator, then the simulator reads every variable', () => {
    const keys = Object.keys(environmentOf(serviceNamed(compose, 'servicenow-sim')));
    expect(keys.filter((key) => !SIMULATOR_ENV_VARS.includes(key))).toEqual([]);
  });

  test('when the worker reads its Temporal settings from the compose environment, then they point at the temporal service', () => {
    const config = temporalConfigFromEnv(environmentOf(serviceNamed(compose, 'bridge-worker')));
    expect(config).toMatchObject({
      address: 'temporal:7233',
      namespace: 'default',
      taskQueue: 'incident-bridge',
      uiUrl: 'http://localhost:8233',
    });
    expect(publishedHostPorts(serviceNamed(compose, 'temporal-ui'))).toContain(new URL(config.uiUrl).port);
  });

  test('when the api reads its webhook settings from the compose environment, then it listens on all interfaces of its port', () => {
    const env = environmentOf(serviceNamed(compose, 'bridge-api'));
    const expected = { host: '0.0.0.0', port: Number(env.PORT), secretHeader: 'x-webhook-secret' };
    expect(webhookHttpFromEnv(env)).toMatchObject(expected);
    expect(publishedHostPorts(serviceNamed(compose, 'bridge-api'))).toContain(env.PORT);
  });

  test('when healthchecks probe the bridge, then they use the ports the processes listen on', () => {
    const api = serviceNamed(compose, 'bridge-api');
    const worker = serviceNamed(compose, 'bridge-worker');
    expect(JSON.stringify(api.healthcheck?.test)).toContain(`127.0.0.1:${environmentOf(api).PORT}/healthz`);
    expect(JSON.stringify(worker.healthcheck?.test)).toContain(
      `127.0.0.1:${environmentOf(worker).METRICS_PORT}/metrics`,
    );
  });

  test('when no simulator profile is active, then no bridge service needs the simulator to start', () => {
    expect(serviceNamed(compose, 'servicenow-sim').profiles).toEqual(['simulator']);
    const needingSimulator = BRIDGE_SERVICES.filter(
      (name) => 'servicenow-sim' in dependenciesOf(serviceNamed(compose, name)),
    );
    expect(needingSimulator).toEqual([]);
  });

  test('when the bridge starts, then the search attributes have been registered first', () => {
    for (const name of BRIDGE_SERVICES) {
      expect(dependenciesOf(serviceNamed(compose, name))).toMatchObject({
        temporal: 'service_healthy',
        'temporal-setup': 'service_completed_successfully',
      });
    }
  });

  test('when Temporal loads its dynamic config, then the file it names is shipped in deploy/ and parses', () => {
    const temporal = serviceNamed(compose, 'temporal');
    const configPath = environmentOf(temporal).DYNAMIC_CONFIG_FILE_PATH;
    const mount = (temporal.volumes ?? []).find(
      (volume): volume is string =>
        typeof volume === 'string' && volume.split(':')[1] === '/etc/temporal/config/dynamicconfig',
    );
    expect(configPath).toMatch(/^config\/dynamicconfig\//);
    expect(mount).toBeDefined();
    const hostFile = `${mount!.split(':')[0]}/${configPath.replace(/^config\/dynamicconfig\//, '')}`;
    expect(() => parse(readRepoFile(hostFile))).not.toThrow();
  });
});
