import { triggerConfig } from '../config/bridge-config';
import { ConfigError } from '../common/config-error';
import { loadBridgeConfig } from '../settings/file/load';
import { serviceNowEventsAuthFromEnv } from '../settings/servicenow-inbound';
import type { Env } from '../settings/env';
import { renderServiceNowScript } from './servicenow-script';

const USAGE = 'usage: npm run servicenow-script -- --trigger <name> [--url <webhook base URL>]';
const DEFAULT_URL = 'https://<incident-bridge webhook host>';

function parseArguments(argv: string[]): { trigger: string; url: string } {
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    if (!['--trigger', '--url'].includes(argv[i]) || argv[i + 1] === undefined) throw new ConfigError([USAGE]);
    options.set(argv[i], argv[i + 1]);
  }
  const trigger = options.get('--trigger');
  if (!trigger) throw new ConfigError([USAGE]);
  return { trigger, url: options.get('--url') ?? DEFAULT_URL };
}

/**
 * `npm run servicenow-script -- --trigger T`: the business rule, its REST message and the secret's
 * property for trigger T of BRIDGE_CONFIG, signed the way SERVICENOW_EVENTS_AUTH says. The secret
 * itself is never printed: the admin enters it into the instance's property.
 */
function main(argv: string[], env: Env): string {
  const args = parseArguments(argv);
  const config = loadBridgeConfig({ env });
  if (!Object.hasOwn(config.triggers, args.trigger) || !triggerConfig(config, args.trigger).inbound) {
    throw new ConfigError([`triggers.${args.trigger}.inbound: not configured in BRIDGE_CONFIG`]);
  }
  const target = config.targets[triggerConfig(config, args.trigger).target];
  const table = (target?.type === 'servicenow' && target.table) || 'incident';
  const signing = serviceNowEventsAuthFromEnv(env);
  return renderServiceNowScript({ trigger: args.trigger, table, receiverUrl: args.url, signing });
}

try {
  process.stdout.write(main(process.argv.slice(2), process.env));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(error.problems.map((problem) => `${problem}\n`).join(''));
  process.exitCode = 2;
}
