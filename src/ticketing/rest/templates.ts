import type { Liquid } from 'liquidjs';
import { compileTemplates, type CompiledTemplate } from '../../templating/liquid';
import type { RestOperation, RestTargetOptions } from './options';

export type RestOperationName = 'create' | 'find' | 'update' | 'resolve' | 'cancelDuplicate';

/** YAML spelling of each operation, for messages that point at the config key. */
export const OPERATION_KEYS: Record<RestOperationName, string> = {
  create: 'create',
  find: 'find',
  update: 'update',
  resolve: 'resolve',
  cancelDuplicate: 'cancel_duplicate',
};

export interface CompiledOperation {
  spec: RestOperation;
  url: CompiledTemplate;
  body?: CompiledTemplate;
}

/** Parses every url/body template of the target once; syntax errors become problems naming the key. */
export function compileRestTemplates(
  engine: Liquid,
  options: RestTargetOptions,
  check: { path: string; problems: string[] },
): Partial<Record<RestOperationName, CompiledOperation>> {
  const compiled: Partial<Record<RestOperationName, CompiledOperation>> = {};
  for (const name of Object.keys(OPERATION_KEYS) as RestOperationName[]) {
    const spec = options[name];
    if (!spec) continue;
    const sources: Record<string, string> = { url: spec.url, ...(spec.body !== undefined && { body: spec.body }) };
    const templates = compileTemplates(engine, sources, {
      path: `${check.path}.${OPERATION_KEYS[name]}`,
      problems: check.problems,
    });
    if (templates) compiled[name] = { spec, url: templates.url, body: templates.body };
  }
  return compiled;
}
