import { createHmac } from 'node:crypto';
import { createContext, runInContext } from 'node:vm';
import { parse } from 'acorn';

/**
 * A stand-in for a ServiceNow instance's global-scope script engine: Rhino with ES5 semantics (the
 * ES12 mode is off unless an admin turns it on per application). Syntax is checked by parsing as ES5;
 * the ES2015+ built-ins a script could call by mistake are removed, so calling one throws a TypeError
 * as on Rhino. The Glide APIs the printed Business Rule uses behave as documented: a `password2`
 * system property reads back encrypted through gs.getProperty, a credential's password comes back in
 * clear from sn_cc.StandardCredentialsProvider, generateMac takes a base64 key and returns base64.
 */

/** What Rhino's ES5 lacks that Node has; deleted inside the sandbox before the script runs. */
const ES2015_PLUS = `
['startsWith', 'endsWith', 'includes', 'repeat', 'padStart', 'padEnd', 'trimStart', 'trimEnd', 'codePointAt',
 'normalize', 'at', 'replaceAll', 'matchAll'].forEach(function (n) { delete String.prototype[n]; });
['find', 'findIndex', 'findLast', 'includes', 'fill', 'flat', 'flatMap', 'entries', 'keys', 'values', 'at',
 'copyWithin'].forEach(function (n) { delete Array.prototype[n]; });
['from', 'of'].forEach(function (n) { delete Array[n]; });
['assign', 'entries', 'values', 'fromEntries', 'is'].forEach(function (n) { delete Object[n]; });
['Promise', 'Map', 'Set', 'WeakMap', 'Symbol', 'Proxy', 'Reflect'].forEach(function (n) { delete this[n]; }, this);
`;

export interface InstanceState {
  /** sys_properties: name → type and stored (clear) value. */
  properties: Record<string, { type: 'string' | 'password2'; value: string }>;
  /** Credentials by sys_id (discovery_credentials: Basic Auth). */
  credentials: Record<string, { user_name: string; password: string }>;
}

export interface SentRequest {
  restMessage: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

export interface RunResult {
  sent: SentRequest[];
  logs: string[];
}

/** Throws (acorn's SyntaxError, with the position) when `source` is not ES5. */
export function assertEs5(source: string): void {
  parse(source, { ecmaVersion: 5, sourceType: 'script' });
}

/** How a password2 value reads back through gs.getProperty: the stored ciphertext, not the secret. */
const encryptedForm = (value: string) => `enc:${Buffer.from(value).toString('base64').split('').reverse().join('')}`;

function glideRecord(table: string, fields: Record<string, string>) {
  const record: Record<string, unknown> = {
    getTableName: () => table,
    getUniqueValue: () => fields.sys_id,
    getValue: (name: string) => (name in fields ? fields[name] : null),
  };
  // GlideElements: current.<field> is an object whose toString() gives the value.
  for (const [name, value] of Object.entries(fields)) record[name] = { toString: () => value };
  return record;
}

function glideApis(state: InstanceState, result: RunResult) {
  const gs = {
    getProperty(name: string, fallback?: string) {
      const property = state.properties[name];
      if (!property) return fallback;
      return property.type === 'password2' ? encryptedForm(property.value) : property.value;
    },
    info: (message: string) => void result.logs.push(`info: ${message}`),
    warn: (message: string) => void result.logs.push(`warn: ${message}`),
    error: (message: string) => void result.logs.push(`error: ${message}`),
  };
  function RESTMessageV2(this: Record<string, unknown>, restMessage: string, method: string) {
    const request: SentRequest = { restMessage, method, headers: {}, body: '' };
    this.setRequestBody = (body: string) => void (request.body = body);
    this.setRequestHeader = (name: string, value: string) => void (request.headers[name.toLowerCase()] = value);
    this.execute = () => {
      result.sent.push(request);
      return { getStatusCode: () => 200, getBody: () => '{}' };
    };
  }
  function StandardCredentialsProvider(this: Record<string, unknown>) {
    this.getCredentialByID = (sysId: string) => {
      const credential = state.credentials[sysId];
      return credential ? { getAttribute: (name: 'user_name' | 'password') => credential[name] } : null;
    };
  }
  function GlideCertificateEncryption(this: Record<string, unknown>) {
    this.generateMac = (key: string, algorithm: string, data: string) => {
      if (algorithm !== 'HmacSHA256') throw new Error(`unsupported algorithm ${algorithm}`);
      return createHmac('sha256', Buffer.from(key, 'base64')).update(data, 'utf8').digest('base64');
    };
  }
  const GlideStringUtil = { base64Encode: (text: string) => Buffer.from(text, 'utf8').toString('base64') };
  return {
    gs,
    sn_ws: { RESTMessageV2 },
    sn_cc: { StandardCredentialsProvider },
    GlideCertificateEncryption,
    GlideStringUtil,
  };
}

/**
 * Runs a Business Rule's `condition` (a script expression, when there is one) and `script` for one
 * record as an async rule does (`previous` is null), returning what it sent and logged.
 */
export function runBusinessRule(
  rule: { condition?: string; script: string },
  record: { table: string; fields: Record<string, string> },
  state: InstanceState,
): RunResult {
  const result: RunResult = { sent: [], logs: [] };
  for (const source of [rule.condition ?? 'true', rule.script]) assertEs5(source);
  const context = createContext({ ...glideApis(state, result), current: glideRecord(record.table, record.fields) });
  runInContext(ES2015_PLUS, context);
  context.previous = null;
  if (runInContext(rule.condition ?? 'true', context)) runInContext(rule.script, context);
  return result;
}
