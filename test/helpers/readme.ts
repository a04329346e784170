// The parser lives in dev/ (the cluster benchmark sets its server up with the README's commands too).
export * from '../../dev/readme';
