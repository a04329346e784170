import type { ServiceNowEventsConfig } from '../config/settings';

export interface ScriptInput {
  trigger: string;
  /** The ServiceNow table the trigger's tickets live in. */
  table: string;
  /** Where ServiceNow reaches the webhook, e.g. https://bridge.example.com. */
  receiverUrl: string;
  signing: Pick<ServiceNowEventsConfig, 'auth' | 'header'>;
}

/**
 * The secret lives in a Basic Auth credential (its password is stored 2-way encrypted and read back in
 * clear only through sn_cc.StandardCredentialsProvider); a plain system property names the credential's
 * sys_id. Not a password2 property: gs.getProperty returns a password2 property's ciphertext.
 */
export const CREDENTIAL_NAME = 'incident-bridge events';
export const CREDENTIAL_PROPERTY = 'x_incident_bridge.events_credential';
export const REST_MESSAGE = 'incident-bridge';
export const REST_METHOD = 'post change';

function signingLines(signing: ScriptInput['signing']): string[] {
  if (signing.auth === 'header') return [`  request.setRequestHeader('${signing.header}', secret);`];
  return [
    '  // generateMac wants the key base64-encoded and returns the MAC in base64: what the bridge checks.',
    '  var key = GlideStringUtil.base64Encode(secret);',
    "  var mac = new GlideCertificateEncryption().generateMac(key, 'HmacSHA256', body);",
    `  request.setRequestHeader('${signing.header}', mac);`,
  ];
}

/**
 * The business rule's script: identify the record, sign, send once (RESTMessageV2 never retries). ES5
 * only: global-scope scripts run on Rhino without ES2015 (no startsWith, let/const, arrows, templates);
 * test/integration/servicenow-business-rule-script.test.ts runs it so.
 */
function ruleScript(input: ScriptInput): string[] {
  const prefix = JSON.stringify(`${input.trigger}:`);
  return [
    '(function executeRule(current, previous /* null in an async rule */) {',
    '  // The filter condition already says so; checked again so a copy without it posts only our tickets.',
    `  if (String(current.getValue('correlation_id') || '').indexOf(${prefix}) !== 0) return;`,
    '  var credential = new sn_cc.StandardCredentialsProvider()',
    `    .getCredentialByID(gs.getProperty('${CREDENTIAL_PROPERTY}'));`,
    "  var secret = credential ? String(credential.getAttribute('password') || '') : '';",
    '  if (!secret) {',
    `    gs.error('incident-bridge: no password in the credential that ${CREDENTIAL_PROPERTY} names');`,
    '    return;',
    '  }',
    '  var body = JSON.stringify({',
    '    table: current.getTableName(),',
    '    sys_id: current.getUniqueValue(),',
    "    sys_mod_count: parseInt(current.getValue('sys_mod_count'), 10),",
    "    number: current.getValue('number'),",
    "    sys_updated_by: current.getValue('sys_updated_by')",
    '  });',
    `  var request = new sn_ws.RESTMessageV2('${REST_MESSAGE}', '${REST_METHOD}');`,
    '  request.setRequestBody(body);',
    ...signingLines(input.signing),
    '  try {',
    '    var response = request.execute();',
    '    if (response.getStatusCode() !== 200) {',
    "      gs.warn('incident-bridge: ' + response.getStatusCode() + ' ' + response.getBody());",
    '    }',
    '  } catch (e) {',
    "    gs.warn('incident-bridge: ' + e);",
    '  }',
    '})(current, previous);',
  ];
}

/** Everything the admin sets up in the instance for one trigger, in the order the forms ask for it. */
export function renderServiceNowScript(input: ScriptInput): string {
  const endpoint = `${input.receiverUrl.replace(/\/+$/, '')}/servicenow/events`;
  return [
    `# incident-bridge: ServiceNow changes back to the rows of trigger ${input.trigger}`,
    '',
    '## 1. Credential (Connections & Credentials > Credentials > New > Basic Auth Credentials)',
    `Name: ${CREDENTIAL_NAME}`,
    'User name: incident-bridge   (not checked; the form wants one)',
    "Password: the same value as the webhook's SERVICENOW_EVENTS_SECRET (at least 32 bytes; stored encrypted)",
    '',
    '## 2. System property (System Properties > New): which credential the rule reads; not a secret',
    `Name: ${CREDENTIAL_PROPERTY}`,
    'Type: string',
    'Value: the sys_id of the credential of step 1 (its form: context menu > Copy sys_id)',
    '',
    `## 3. Outbound REST Message (System Web Services > Outbound > REST Message > New)`,
    `Name: ${REST_MESSAGE}`,
    `Endpoint: ${endpoint}`,
    'Authentication type: No authentication   (the business rule adds the secret header itself)',
    `HTTP Method (related list) > New: Name: ${REST_METHOD}; HTTP method: POST; Endpoint: ${endpoint}`,
    '  HTTP Request > HTTP Headers: Content-Type: application/json; Accept: application/json',
    '',
    `## 4. Business Rule (System Definition > Business Rules > New)`,
    `Name: incident-bridge ${input.trigger} back to the row`,
    `Table: ${input.table}`,
    'Advanced: true',
    "When: async            (after the update commits, off the agent's transaction)",
    'Update: true           (Insert, Delete, Query: false)',
    `Filter Conditions: [Correlation ID] [starts with] [${input.trigger}:]`,
    'Condition field: empty (the filter conditions select the records)',
    'Script:',
    ...ruleScript(input),
    '',
    '# Updates made with setWorkflow(false) run no business rule, and a failed call is not retried:',
    '# set SERVICENOW_RECONCILE_INTERVAL on the worker so its reconciler picks those changes up.',
    '',
  ].join('\n');
}
