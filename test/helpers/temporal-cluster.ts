// The launcher lives in dev/temporal (the cluster benchmark uses it too); the tests keep this path.
export * from '../../dev/temporal/cluster';
