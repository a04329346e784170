import type { ServiceNowEventsConfig } from '../config/settings';

export interface ScriptInput {
  trigger: string;
  /** The ServiceNow table the trigger's tickets live in. */
  table: string;
  /** Where ServiceNow reaches the webhook, e.g. https://bridge.example.com. */
  receiverUrl: string;
  signing: Pick<ServiceNowEventsConfig, 'auth' | 'header'>;
}

/** The system property holding the shared secret (type password2, so it is stored encrypted). */
export const SECRET_PROPERTY = 'x_incident_bridge.events_secret';
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

/** The business rule's script: identify the record, sign, send once (RESTMessageV2 never retries). */
function ruleScript(input: ScriptInput): string[] {
  return [
    '(function executeRule(current, previous /* null in an async rule */) {',
    `  var secret = gs.getProperty('${SECRET_PROPERTY}');`,
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
    `## 1. System property (System Properties > New)`,
    `Name: ${SECRET_PROPERTY}`,
    'Type: password2        (stored encrypted; the bridge has the same value in SERVICENOW_EVENTS_SECRET)',
    'Private: true          (not exported with update sets)',
    '',
    `## 2. Outbound REST Message (System Web Services > Outbound > REST Message > New)`,
    `Name: ${REST_MESSAGE}`,
    `Endpoint: ${endpoint}`,
    'Authentication type: No authentication   (the business rule adds the secret header itself)',
    `HTTP Method (related list) > New: Name: ${REST_METHOD}; HTTP method: POST; Endpoint: ${endpoint}`,
    '  HTTP Request > HTTP Headers: Content-Type: application/json; Accept: application/json',
    '',
    `## 3. Business Rule (System Definition > Business Rules > New)`,
    `Name: incident-bridge ${input.trigger} back to the row`,
    `Table: ${input.table}`,
    'Advanced: true',
    "When: async            (after the update commits, off the agent's transaction)",
    'Update: true           (Insert, Delete, Query: false)',
    `Condition: current.correlation_id.toString().startsWith('${input.trigger}:')`,
    'Script:',
    ...ruleScript(input),
    '',
    '# Updates made with setWorkflow(false) run no business rule, and a failed call is not retried:',
    '# set SERVICENOW_RECONCILE_INTERVAL on the worker so its reconciler picks those changes up.',
    '',
  ].join('\n');
}
