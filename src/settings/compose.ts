/** Every variable a loader's topics read, once each, in the order the topics list them. */
export function variablesOf(...topics: (readonly string[])[]): readonly string[] {
  return Object.freeze([...new Set(topics.flat())]);
}

/**
 * Freezes the plain objects and arrays of a settings tree, so no part of a process can change a
 * setting another part relies on. Class instances (Secret, Map, Buffer) are left as they are.
 */
export function frozen<T extends object>(settings: T): T {
  for (const value of Object.values(settings)) {
    if (isPlain(value) && !Object.isFrozen(value)) frozen(value);
  }
  return Object.freeze(settings);
}

function isPlain(value: unknown): value is object {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
