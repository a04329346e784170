import type { Liquid } from 'liquidjs';
import type { CompiledTemplate } from '../templating/liquid';

/** The template variables that hold a row image (src/mapping/mapper.ts, scopeOf). */
const IMAGE_VARIABLES = new Set(['row', 'old', 'new']);

/**
 * The columns of the row images that these templates read (`row.title`, `old['a b']`, `new.x.y` reads `x`), or
 * undefined when one reads an image whole or by a computed column (`row | json`, `row[name]`): then every column
 * may matter. `changes` is not an image: it lists what changed among the columns the event carries.
 */
export function imageColumnsRead(engine: Liquid, templates: CompiledTemplate[]): string[] | undefined {
  const columns = new Set<string>();
  for (const template of templates) {
    for (const [variable, column] of engine.globalVariableSegmentsSync(template)) {
      if (typeof variable !== 'string' || !IMAGE_VARIABLES.has(variable)) continue;
      if (typeof column !== 'string') return undefined;
      columns.add(column);
    }
  }
  return [...columns];
}
