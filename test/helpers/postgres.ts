// The launcher lives in dev/postgres (the lifecycle chaos run uses it too); the tests keep this path.
export * from '../../dev/postgres/server';
