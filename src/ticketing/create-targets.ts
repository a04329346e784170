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

function createTarget(name: string, config: TargetConfig): PooledTarget {
  switch (config.type) {
    case 'servicenow':
      return createServiceNowTarget(config);
    case 'jira':
      return createJiraTarget(config);
    case 'rest':
      return createRestTarget(config, { name });
  }
}

export function createTargets(config: { targets: Record<string, TargetConfig> }): Targets {
  const created: [string, PooledTarget][] = [];
  try {
    for (const [name, target] of Object.entries(config.targets)) created.push([name, createTarget(name, target)]);
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
