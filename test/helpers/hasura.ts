export * from '../../src/chaos/hasura-deliverer';
