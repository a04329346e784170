import type { ServiceNowEventsConfig } from '../src/config/settings';
import type { BusinessRuleConfig } from './simulator/servicenow/business-rule';

/**
 * `npm start` with SERVICENOW_EVENTS_SECRET set: the embedded simulator's business rule posts to the
 * embedded webhook, signed the way the webhook checks, as the rule an admin installs from
 * `npm run servicenow-script` would. Unset: no rule, the simulator sends nothing.
 */
export function simulatorBusinessRule(
  events: ServiceNowEventsConfig | undefined,
  webhookUrl: string,
): BusinessRuleConfig | undefined {
  if (!events) return undefined;
  const [current] = events.secrets;
  return { url: `${webhookUrl}/servicenow/events`, secret: current.reveal(), auth: events.auth, header: events.header };
}
