import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root';
import { configurationReference } from '../settings/file/docs';

/** `npm run docs:config`: regenerates docs/configuration.md from the config schema. */
const target = join(packageRoot(), 'docs', 'configuration.md');
writeFileSync(target, configurationReference());
console.log(`wrote ${target}`);
