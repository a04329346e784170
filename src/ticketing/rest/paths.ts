/** Reads a dot path (`result.0.id`) from a parsed JSON answer; '' is the answer itself. */
export function valueAt(data: unknown, path: string): unknown {
  if (path === '') return data;
  let current = data;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** A scalar at the path as text; objects, arrays and absent values give undefined. */
export function textAt(data: unknown, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const value = valueAt(data, path);
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
}
