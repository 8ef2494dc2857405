import { AthenaClient } from '@aws-sdk/client-athena';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { athenaDdlPartitions } from '../../shared/catalog/athena-ddl-partitions.js';
import { MAX_QUERY_BYTES } from '../../shared/sql/athena/partitions.js';
import { FakeAthena, testAthenaClient } from '../engines/athena-fakes.js';
import { expectOneValidStatement, hive } from '../sql/athena-parsers.js';

describe('raw partitions registered through Athena DDL', () => {
  let athena: AwsClientStub<AthenaClient>;
  let fake: FakeAthena;

  beforeEach(() => {
    athena = mockClient(AthenaClient);
    fake = new FakeAthena(athena, () => ({ runningPolls: 0 }));
  });

  afterEach(() => athena.restore());

  it('sends ALTER TABLE … ADD IF NOT EXISTS PARTITION statements under the query limit, one after the other', async () => {
    const registrar = athenaDdlPartitions({
      client: testAthenaClient(),
      workGroup: 'logs',
      database: 'athena_logs',
      sleep: () => Promise.resolve(),
    });
    // A year of one account × 20 regions: far more than one statement can hold.
    const partitions = Array.from({ length: 20 * 365 }, (_, index) => {
      const day = new Date(Date.UTC(2026, 0, 1) + Math.floor(index / 20) * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const [year, month, dd] = day.split('-');
      const region = `eu-west-${(index % 20) + 1}`;
      return {
        values: ['123456789012', region, year ?? '', month ?? '', dd ?? ''],
        location: `s3://raw-bucket/AWSLogs/123456789012/vpcflowlogs/${region}/${year}/${month}/${dd}/`,
      };
    });

    const result = await registrar.createPartitions('vpc_flow_raw', partitions);

    expect(result.created).toBe(partitions.length);
    const statements = fake.queries.map((query) => query.input.QueryString ?? '');
    expect(statements.length).toBeGreaterThan(1);
    for (const sql of statements) {
      expect(Buffer.byteLength(sql)).toBeLessThanOrEqual(MAX_QUERY_BYTES);
      expect(sql.startsWith('ALTER TABLE `athena_logs`.`vpc_flow_raw` ADD IF NOT EXISTS')).toBe(true);
    }
    for (const sql of statements) expectOneValidStatement(hive, sql);
    const clauses = statements.join('\n').match(/PARTITION \(/g) ?? [];
    expect(clauses).toHaveLength(partitions.length);
    expect(new Set(fake.queries.map((query) => query.input.WorkGroup))).toEqual(new Set(['logs']));
  });
});
