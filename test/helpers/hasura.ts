export * from '../../dev/chaos/hasura-deliverer';
