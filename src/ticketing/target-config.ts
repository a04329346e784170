import type { JiraOptions } from './jira/options';
import type { RestTargetOptions } from './rest/options';
import type { ServiceNowOptions } from './servicenow/options';

/** One configured ticketing system: its type and that type's own options (secrets resolved). */
export type ServiceNowTargetConfig = { type: 'servicenow' } & ServiceNowOptions;
export type JiraTargetConfig = { type: 'jira' } & JiraOptions;
export type RestTargetConfig = { type: 'rest' } & RestTargetOptions;
export type TargetConfig = ServiceNowTargetConfig | JiraTargetConfig | RestTargetConfig;
