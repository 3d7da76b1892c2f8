export * from './db/migrate';
export * from './db/tile-database';
