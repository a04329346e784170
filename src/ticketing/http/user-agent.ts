import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package-root';

/** `<name>/<version>` from package.json, read once; a missing manifest must not stop a call. */
function fromManifest(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
      name?: string;
      version?: string;
    };
    return `${manifest.name ?? 'incident-bridge'}/${manifest.version ?? 'unknown'}`;
  } catch {
    return 'incident-bridge/unknown';
  }
}

/** Sent on every target call, so a ticketing system's admin can tell the bridge's traffic apart. */
export const USER_AGENT = fromManifest();
