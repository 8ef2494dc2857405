import { GetTableCommand, GlueClient, type GlueClientConfig, type Table } from '@aws-sdk/client-glue';
import type { AwsClientStub } from 'aws-sdk-client-mock';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** A Glue client for mocks: fixed region and fake credentials, so nothing is looked up. */
export function testGlueClient(config: GlueClientConfig = {}): GlueClient {
  return new GlueClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    ...config,
  });
}

/** A storage descriptor as GetTable returns it for a converted (Parquet) table. */
export const PARQUET_STORAGE = {
  Columns: [
    { Name: 'srcaddr', Type: 'string' },
    { Name: 'bytes', Type: 'bigint' },
  ],
  Location: 's3://lake-bucket/lake/vpc_flow/',
  InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  SerdeInfo: {
    SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    Parameters: { 'serialization.format': '1' },
  },
  Compressed: false,
  NumberOfBuckets: -1,
  StoredAsSubDirectories: false,
};

/** The storage descriptor of a lines table: one string column, read through symlink manifests. */
export const LINES_STORAGE = {
  Columns: [{ Name: 'line', Type: 'string' }],
  Location: 's3://lake-bucket/lake/_manifests/vpc_flow/',
  InputFormat: 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  SerdeInfo: {
    SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
    Parameters: {
      'field.delim': '31',
      'serialization.last.column.takes.rest': 'true',
      'serialization.null.format': '',
    },
  },
};

export const PARTITION_KEYS = ['account', 'region', 'year', 'month', 'day'].map((Name) => ({
  Name,
  Type: 'string',
}));

/** A table of the contract (partitioned by account, region, year, month, day). */
export function table(name: string, storage: Table['StorageDescriptor'] = PARQUET_STORAGE): Table {
  return {
    Name: name,
    DatabaseName: 'athena_logs',
    StorageDescriptor: storage,
    PartitionKeys: PARTITION_KEYS,
  };
}

/** GetTable answers with these tables (by name), EntityNotFound for any other. */
export function serveTables(glue: AwsClientStub<GlueClient>, tables: readonly Table[]): void {
  glue.on(GetTableCommand).callsFake((input: { Name?: string }) => {
    const found = tables.find((candidate) => candidate.Name === input.Name);
    if (found) return { Table: found };
    throw Object.assign(new Error(`Table ${input.Name ?? ''} not found.`), {
      name: 'EntityNotFoundException',
    });
  });
}
