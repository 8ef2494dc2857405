import { describe, expect, it } from 'vitest';
import { alb } from '../../shared/sources/alb.js';
import { cloudtrail } from '../../shared/sources/cloudtrail.js';
import {
  convertBatches,
  convertSelectSql,
  MAX_PARTITIONS_PER_STATEMENT,
  unloadRowsSql,
} from '../../shared/sql/athena/convert-query.js';
import type { AthenaPartition } from '../../shared/sql/athena/partition-values.js';
import {
  addPartitionsSql,
  MAX_QUERY_BYTES,
  partitionSpec,
  type PartitionLocation,
} from '../../shared/sql/athena/partitions.js';
import { expectOneValidStatement, hive } from './athena-parsers.js';

const options = { database: 'athena_logs', raw: 's3://raw-bucket/', staging: 's3://lake-bucket/_staging/b/' };

function partitions(count: number): AthenaPartition[] {
  return Array.from({ length: count }, (_, index) => ({
    account: String(100_000_000_000 + index),
    region: 'eu-central-1',
    date: '2024-03-01',
  }));
}

describe('at most 100 target partitions per conversion statement', () => {
  it('250 partitions split into 100, 100 and 50, in order, each once', () => {
    const all = partitions(250);
    const batches = convertBatches(all);
    expect(batches.map((batch) => batch.length)).toEqual([100, 100, 50]);
    expect(batches.flat()).toEqual(all);
    expect(MAX_PARTITIONS_PER_STATEMENT).toBe(100);
  });

  it('exactly 100 is one batch; none is no batch; a smaller size is honoured', () => {
    expect(convertBatches(partitions(100))).toHaveLength(1);
    expect(convertBatches([])).toEqual([]);
    expect(convertBatches(partitions(7), 3).map((batch) => batch.length)).toEqual([3, 3, 1]);
    expect(() => convertBatches(partitions(7), 0)).toThrow(RangeError);
  });

  it('each batch of the split makes a statement; 101 partitions, none, or one twice are refused', () => {
    for (const batch of convertBatches(partitions(201)))
      expect(unloadRowsSql(alb, batch, options)).toMatch(/^UNLOAD \(/);
    expect(() => unloadRowsSql(alb, partitions(101), options)).toThrow(/at most 100 partitions, not 101/);
    expect(() => convertSelectSql(cloudtrail, partitions(101), options)).toThrow(RangeError);
    expect(() => convertSelectSql(cloudtrail, [], options)).toThrow(/at least one partition/);
    const [one] = partitions(1);
    expect(() => convertSelectSql(cloudtrail, [one!, { ...one! }], options)).toThrow(/twice/);
  });
});

describe('ADD PARTITION statements stay under 262,144 bytes', () => {
  const location = (index: number) =>
    `s3://raw-bucket/${'deep-prefix/'.repeat(20)}AWSLogs/${100_000_000_000 + index}/elasticloadbalancing/eu-central-1/2024/03/01/`;
  const many: PartitionLocation[] = partitions(3000).map((partition, index) => ({
    partition,
    location: location(index),
  }));

  it('3000 partitions with long locations: several statements, each under the limit, every partition once in order', () => {
    const statements = addPartitionsSql('athena_logs', 'alb_raw', many);
    expect(statements.length).toBeGreaterThan(1);
    for (const sql of statements) expect(Buffer.byteLength(sql, 'utf8')).toBeLessThanOrEqual(MAX_QUERY_BYTES);
    const locations = statements.flatMap((sql) =>
      [...sql.matchAll(/ LOCATION '([^']*)'/g)].map((match) => match[1]),
    );
    expect(locations).toEqual(many.map((entry) => entry.location));
    // Each statement but the last is full: the next partition's clause would have crossed the limit.
    let taken = 0;
    for (const sql of statements.slice(0, -1)) {
      taken += [...sql.matchAll(/ LOCATION '/g)].length;
      const next = many[taken];
      const clause = `\n${partitionSpec(next!.partition)} LOCATION '${next!.location}'`;
      expect(Buffer.byteLength(sql + clause, 'utf8')).toBeGreaterThan(MAX_QUERY_BYTES);
    }
    expectOneValidStatement(hive, statements[0] ?? '');
  });

  it('the split happens exactly at the limit, counting UTF-8 bytes', () => {
    const head = 'ALTER TABLE `athena_logs`.`alb_raw` ADD IF NOT EXISTS';
    const entries: PartitionLocation[] = partitions(5).map((partition) => ({
      partition,
      location: 's3://raw-bucket/é/', // two bytes for one character
    }));
    const clause = (entry: PartitionLocation) =>
      `\n${partitionSpec(entry.partition)} LOCATION '${entry.location}'`;
    const twoClauses = Buffer.byteLength(head + clause(entries[0]!) + clause(entries[1]!), 'utf8');
    expect(
      addPartitionsSql('athena_logs', 'alb_raw', entries, twoClauses).map(
        (sql) => sql.split('\nPARTITION').length - 1,
      ),
    ).toEqual([2, 2, 1]);
    expect(
      addPartitionsSql('athena_logs', 'alb_raw', entries, twoClauses - 1).map(
        (sql) => sql.split('\nPARTITION').length - 1,
      ),
    ).toEqual([1, 1, 1, 1, 1]);
  });

  it('a clause that alone exceeds the limit is refused, not sent', () => {
    expect(() =>
      addPartitionsSql('athena_logs', 'alb_raw', [
        { partition: partitions(1)[0]!, location: `s3://b/${'x'.repeat(300_000)}` },
      ]),
    ).toThrow(/longer than 262144 bytes/);
    expect(addPartitionsSql('athena_logs', 'alb_raw', [])).toEqual([]);
  });
});
