import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { ConfigError } from '../../src/common/config-error';
import { Secret } from '../../src/common/secret';
import { temporalConfigFromEnv } from '../../src/settings/temporal';
import { connectionOptions } from '../../src/config/temporal';

let dir: string;
const files = { cert: '', key: '', ca: '' };

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'temporal-tls-'));
  Object.assign(files, {
    cert: path.join(dir, 'client.pem'),
    key: path.join(dir, 'client.key'),
    ca: path.join(dir, 'ca.pem'),
  });
  // Throwaway self-signed pairs, generated per run so no key material is committed.
  const selfSigned = (keyOut: string, certOut: string, cn: string) =>
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${cn}`,
        '-keyout',
        keyOut,
        '-out',
        certOut,
      ],
      { stdio: 'pipe' },
    );
  selfSigned(files.key, files.cert, 'incident-bridge-worker');
  selfSigned(path.join(dir, 'ca.key'), files.ca, 'test-ca');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('when mTLS files and a server name are configured, then the connection options carry their bytes and the name', () => {
  const config = temporalConfigFromEnv({
    TEMPORAL_ADDRESS: 'temporal.internal:7233',
    TEMPORAL_TLS_CERT_PATH: files.cert,
    TEMPORAL_TLS_KEY_PATH: files.key,
    TEMPORAL_TLS_CA_PATH: files.ca,
    TEMPORAL_TLS_SERVER_NAME: 'temporal.example.test',
  });
  const options = connectionOptions(config);
  expect(options.address).toBe('temporal.internal:7233');
  expect(options.tls).toEqual({
    serverNameOverride: 'temporal.example.test',
    serverRootCACertificate: readFileSync(files.ca),
    clientCertPair: { crt: readFileSync(files.cert), key: readFileSync(files.key) },
  });
  // Guards the comparison above against two empty files.
  expect(readFileSync(files.cert, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
  expect(options.apiKey).toBeUndefined();
});

test('when only TEMPORAL_TLS=true is set, then TLS is on with the system roots and no client certificate', () => {
  const options = connectionOptions(temporalConfigFromEnv({ TEMPORAL_TLS: 'true' }));
  expect(options.tls).toEqual({
    serverNameOverride: undefined,
    serverRootCACertificate: undefined,
    clientCertPair: undefined,
  });
});

test('when nothing about TLS is set, then the connection is plaintext (tls undefined) to 127.0.0.1:7233', () => {
  const options = connectionOptions(temporalConfigFromEnv({}));
  expect(options).toEqual({ address: '127.0.0.1:7233', tls: undefined, apiKey: undefined });
});

test('when a Temporal Cloud API key is set, then it reaches the options as apiKey but never prints', () => {
  const key = 'tmprl-api-key-0123456789abcdef';
  const config = temporalConfigFromEnv({
    TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
    TEMPORAL_NAMESPACE: 'ns.acct',
    TEMPORAL_API_KEY: key,
  });
  expect(config.apiKey).toBeInstanceOf(Secret);
  expect(connectionOptions(config).apiKey).toBe(key);
  for (const printed of [
    JSON.stringify(config),
    inspect(config, { depth: 5 }),
    String(config.apiKey),
    `${config.apiKey}`,
  ]) {
    expect(printed).not.toContain(key);
  }
  expect(JSON.stringify(config)).toContain('<secret>');
});

test('when the API key comes from TEMPORAL_API_KEY_FILE, then the trimmed file contents are used', () => {
  const file = path.join(dir, 'api-key');
  writeFileSync(file, 'key-from-a-mounted-secret\n');
  expect(connectionOptions(temporalConfigFromEnv({ TEMPORAL_API_KEY_FILE: file })).apiKey).toBe(
    'key-from-a-mounted-secret',
  );
});

test.each([
  ['a certificate without its key', { TEMPORAL_TLS_CERT_PATH: '/etc/temporal/client.pem' }],
  ['a key without its certificate', { TEMPORAL_TLS_KEY_PATH: '/etc/temporal/client.key' }],
])('when mTLS is half configured (%s), then it is rejected naming both variables', (_case, env) => {
  let error: unknown;
  try {
    temporalConfigFromEnv(env);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toMatch(/TEMPORAL_TLS_CERT_PATH/);
  expect((error as Error).message).toMatch(/TEMPORAL_TLS_KEY_PATH/);
});
