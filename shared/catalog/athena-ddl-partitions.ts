import { runQuery, type QueryRunnerOptions } from '../engines/athena/query-runner.js';
import { addPartitionsSql } from '../sql/athena/partitions.js';

/**
 * Partition registration through Athena DDL instead of the Glue API (`"registration": "athena"`):
 * `ALTER TABLE … ADD IF NOT EXISTS PARTITION … LOCATION …`, as few statements as fit under the
 * 262,144-byte query limit, run one after the other. For accounts whose role may run Athena
 * queries but not call Glue's partition API directly.
 */
export function athenaDdlPartitions(options: QueryRunnerOptions & { database: string }) {
  const statementsOf = (
    table: string,
    partitions: readonly { values: readonly string[]; location: string }[],
  ) =>
    addPartitionsSql(
      options.database,
      table,
      partitions.map(({ values, location }) => {
        const [account = '', region = '', year = '', month = '', day = ''] = values;
        return { partition: { account, region, date: `${year}-${month}-${day}` }, location };
      }),
    );
  return {
    describeCreatePartitions(
      table: string,
      partitions: readonly { values: readonly string[]; location: string }[],
    ): string[] {
      return statementsOf(table, partitions).map(
        (sql) =>
          `Athena StartQueryExecution (workgroup ${options.workGroup}), with the night's other partitions:\n${sql}`,
      );
    },
    async createPartitions(
      table: string,
      partitions: readonly { values: readonly string[]; location: string }[],
    ): Promise<{ created: number; alreadyExisted: number }> {
      const statements = statementsOf(table, partitions);
      for (const [index, sql] of statements.entries())
        await runQuery(
          options,
          sql,
          `registering partitions of ${options.database}.${table} (statement ${index + 1} of ${statements.length})`,
        );
      // ADD IF NOT EXISTS does not say which partitions existed already.
      return { created: partitions.length, alreadyExisted: 0 };
    },
  };
}
