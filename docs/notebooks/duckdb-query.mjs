// Runs one SQL statement in DuckDB (@duckdb/node-api, a dev dependency of the docs package) and
// prints its rows as JSON. The notebooks read GeoParquet through it: Debian 12 packages GeoPandas
// but not pyarrow, and DuckDB (1.5 or later) reads GeoParquet geometries without an extension.
import { DuckDBInstance } from '@duckdb/node-api';

const [sql] = process.argv.slice(2);
if (!sql) {
  process.stderr.write('usage: node duckdb-query.mjs "<one SQL statement>"\n');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const reader = await connection.runAndReadAll(sql);
process.stdout.write(JSON.stringify(reader.getRowObjectsJson()));
