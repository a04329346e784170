import { rowTicketKeyFor } from '../../src/common/correlation-tag';
import { Secret } from '../../src/common/secret';

/** The correlation secret every test stack runs with (>= 32 bytes, as the config requires). */
export const TEST_CORRELATION_SECRET = 'test-correlation-secret-0123456789abcdef';
/** The variable the test configs name in `correlation.secret`. */
export const CORRELATION_ENV = { BRIDGE_CORRELATION_SECRET: TEST_CORRELATION_SECRET };

/** The ticket key the bridge gives row `id` of `table` (`schema.name`) under `trigger`, signed as the stacks sign it. */
export function rowTicketKey(trigger: string, table: string, id: string | number, secret = TEST_CORRELATION_SECRET) {
  return rowTicketKeyFor({ secret: new Secret(secret) }, { trigger, table, rowKey: String(id) });
}

/** The `correlation:` line a test config with lifecycle needs (with CORRELATION_ENV in its environment). */
export const CORRELATION_YAML = 'correlation: { secret: { env: BRIDGE_CORRELATION_SECRET } }\n';
