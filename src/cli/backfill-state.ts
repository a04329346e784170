import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../common/config-error';
import type { BackfillState } from '../source/backfill';

/** What a saved position belongs to: resuming another trigger's, table's or filter's position would skip rows. */
export interface BackfillIdentity {
  trigger: string;
  table: string;
  where: string | null;
}

/**
 * The backfill's position in a small JSON file (default under .data/), written by rename so a crash
 * leaves the old position or the new one, never half a file. A file, not a table: the bridge never
 * writes the watched database or Hasura's catalog, and the operator can read or delete it.
 */
export function fileState(path: string, identity: BackfillIdentity): BackfillState {
  return {
    load() {
      if (!existsSync(path)) throw new ConfigError([`--resume: no saved position in ${path} (--state-file)`]);
      const saved = JSON.parse(readFileSync(path, 'utf8')) as BackfillIdentity & { lastKey: string[] };
      const same =
        saved.trigger === identity.trigger && saved.table === identity.table && saved.where === identity.where;
      if (!same) {
        const was = `${saved.trigger} on ${saved.table}${saved.where ? ` where ${saved.where}` : ''}`;
        throw new ConfigError([`--resume: ${path} is the position of another backfill (${was})`]);
      }
      return saved.lastKey;
    },
    save(lastKey) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(`${path}.tmp`, `${JSON.stringify({ ...identity, lastKey, savedAt: new Date().toISOString() })}\n`);
      renameSync(`${path}.tmp`, path);
    },
  };
}
