import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationReference } from './file/docs';

/** `npm run docs:config`: regenerates docs/configuration.md from the config schema (src and dist sit two levels down). */
const target = join(__dirname, '../../docs/configuration.md');
writeFileSync(target, configurationReference());
console.log(`wrote ${target}`);
