import type { TargetConfig } from './target-config';
import { createJiraTarget } from './jira';
import { createRestTarget } from './rest';
import { createServiceNowTarget } from './servicenow';
import type { PooledTarget, TicketTarget } from './ticket-target';

export interface Targets {
  /** By the names the config gives them. */
  targets: Record<string, TicketTarget>;
  /** Closes every target's connection pool. */
  close(): Promise<void>;
  /** HTTP calls per target name. */
  stats(): Record<string, unknown>;
}

export interface TargetLimits {
  /** Calls per second this process makes to each target (TICKET_RATE_LIMIT_PER_SECOND): its API limit's share. */
  requestsPerSecond?: number;
}

function createTarget(name: string, config: TargetConfig, limits: TargetLimits): PooledTarget {
  switch (config.type) {
    case 'servicenow':
      return createServiceNowTarget(config, limits);
    case 'jira':
      return createJiraTarget(config, limits);
    case 'rest':
      return createRestTarget(config, { name, ...limits });
  }
}

export function createTargets(config: { targets: Record<string, TargetConfig> }, limits: TargetLimits = {}): Targets {
  const created: [string, PooledTarget][] = [];
  try {
    for (const [name, target] of Object.entries(config.targets))
      created.push([name, createTarget(name, target, limits)]);
  } catch (error) {
    // A later target's bad config must not leak the connection pools of the ones already built.
    void Promise.all(created.map(([, target]) => target.close()));
    throw error;
  }
  return {
    targets: Object.fromEntries(created),
    async close() {
      await Promise.all(created.map(([, target]) => target.close()));
    },
    stats: () => Object.fromEntries(created.map(([name, target]) => [name, target.stats()])),
  };
}
