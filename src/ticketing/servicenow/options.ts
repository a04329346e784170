import type { Secret } from '../../common/secret';

export type ServiceNowAuth =
  | { type: 'basic'; username: string; password: Secret }
  | {
      type: 'oauth';
      grant: 'client_credentials' | 'password';
      clientId: string;
      clientSecret: Secret;
      username?: string;
      password?: Secret;
      scope?: string;
    }
  | { type: 'api-key'; apiKey: Secret };

export type ServiceNowOAuth = Extract<ServiceNowAuth, { type: 'oauth' }>;

export interface ServiceNowOptions {
  /** e.g. https://dev12345.service-now.com (no trailing path). */
  instanceUrl: string;
  /** Default 'incident'. */
  table?: string;
  auth: ServiceNowAuth;
  /** Default 20 000: must stay shorter than the activity's start-to-close timeout (30 s). */
  requestTimeoutMs?: number;
  /** Lets reference fields carry display names instead of sys_ids (sysparm_input_display_value). */
  inputDisplayValue?: boolean;
  /** Used by resolve() when the fields carry no close_code / close_notes. */
  resolveDefaults?: { close_code: string; close_notes: string };
}

export const DEFAULT_TABLE = 'incident';
/** Re-exported for the settings readers, which bound every target's request timeout with it. */
export { MAX_REQUEST_TIMEOUT_MS } from '../http/timeouts';
