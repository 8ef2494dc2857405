import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/errors.js';
import { AVAILABLE_SOURCES, PARTITION_COLUMNS, SOURCES, type LogSource } from '../../shared/sources/index.js';
import { cloudfront } from '../../shared/sources/cloudfront.js';
import { cloudtrail } from '../../shared/sources/cloudtrail.js';
import { elb } from '../../shared/sources/elb.js';
import { s3Access } from '../../shared/sources/s3-access.js';
import { vpcFlow } from '../../shared/sources/vpc-flow.js';
import { convertedTableSql } from '../../shared/sql/athena/converted-table.js';
import { ddlComment } from '../../shared/sql/athena/create-table.js';
import {
  convertOutputColumns,
  convertSelectSql,
  derivedValue,
  rejectsSelectSql,
  rowsSelectSql,
} from '../../shared/sql/athena/convert-query.js';
import { addPartitionsSql, msckRepairSql } from '../../shared/sql/athena/partitions.js';
import { partitionFilter } from '../../shared/sql/athena/parse-lines.js';
import { layoutTemplate, projectionTableSql } from '../../shared/sql/athena/projection.js';
import { linesTableSql, rawColumns, rawTableSql } from '../../shared/sql/athena/raw-table.js';
import { declaredColumns, unescapeHiveLiteral } from './athena-parsers.js';

const target = { database: 'athena_logs', raw: 's3://raw-bucket/logs/', lake: 's3://lake-bucket/lake/' };
const partition = { account: '111122223333', region: 'eu-west-1', date: '2024-02-03' };

/** The column names a SELECT list yields, read off the outermost SELECT … FROM of the text. */
function selectedNames(select: string): string[] {
  const list = select.slice('SELECT '.length, select.indexOf(' FROM ('));
  return [...list.matchAll(/(?:^|, )(?:[^,]*? AS )?"([^"]+)"(?=, |$)/g)].map((match) => match[1] ?? '');
}

describe.each(AVAILABLE_SOURCES)(
  '%s: no column name twice in a table, partition columns included',
  (name) => {
    const source = SOURCES[name];
    const tables = {
      raw: rawTableSql(source, target),
      lines: linesTableSql(source, target),
      converted: convertedTableSql(source, target),
      projection: projectionTableSql(source, target).sql,
    };

    it.each(Object.entries(tables))('%s table', (_kind, ddl) => {
      const { data, partitions } = declaredColumns(ddl);
      expect(partitions).toEqual([...PARTITION_COLUMNS]);
      expect(data.length).toBeGreaterThan(0);
      expect(new Set([...data, ...partitions]).size).toBe(data.length + partitions.length);
    });

    it('raw and lines tables hold what they should: delivered fields; one line column', () => {
      expect(declaredColumns(tables.raw).data).toEqual(rawColumns(source).map((column) => column.name));
      expect(declaredColumns(tables.lines).data).toEqual(['line']);
      expect(declaredColumns(tables.converted).data).toEqual(source.columns.map((column) => column.name));
    });

    it('the conversion SELECT, its rows and its rejects name each column once', () => {
      const select = convertSelectSql(source, [partition], target);
      expect(selectedNames(select)).toEqual(convertOutputColumns(source));
      expect(new Set(convertOutputColumns(source)).size).toBe(convertOutputColumns(source).length);
      expect(selectedNames(rowsSelectSql(source, [partition], target))).toEqual([
        ...source.columns.map((column) => column.name),
        ...PARTITION_COLUMNS,
      ]);
      expect(selectedNames(rejectsSelectSql(source, [partition], target))).toEqual([
        'key',
        'line',
        'reason',
        'text',
        ...PARTITION_COLUMNS,
      ]);
    });
  },
);

describe('column clashes a grammar cannot see are refused', () => {
  const clashing: LogSource = {
    ...elb,
    columns: [...elb.columns, { name: 'region', type: 'string', description: 'A clash.' }],
  };

  it('a data column named like a partition column', () => {
    expect(() => convertedTableSql(clashing, target)).toThrow(/column region twice/);
    expect(() => convertSelectSql(clashing, [partition], target)).toThrow(/column region twice/);
  });

  it("flow logs' own reject_reason column is not the conversion's verdict (_reject_reason)", () => {
    const columns = convertOutputColumns(vpcFlow);
    expect(columns).toContain('reject_reason');
    expect(columns).toContain('_reject_reason');
    expect(declaredColumns(convertedTableSql(vpcFlow, target)).data).toContain('reject_reason');
  });
});

describe('raw tables follow the Athena guide per format', () => {
  it('flow logs: the default format fields, space-delimited, header line skipped, `-` is NULL', () => {
    const ddl = rawTableSql(vpcFlow, target);
    expect(declaredColumns(ddl).data).toEqual([
      'version',
      'account_id',
      'interface_id',
      'srcaddr',
      'dstaddr',
      'srcport',
      'dstport',
      'protocol',
      'packets',
      'bytes',
      'start',
      'end',
      'action',
      'log_status',
    ]);
    expect(ddl).toContain(
      "ROW FORMAT DELIMITED\nFIELDS TERMINATED BY ' '\nSTORED AS TEXTFILE\nLOCATION 's3://raw-bucket/logs/'",
    );
    expect(ddl).toContain("  'skip.header.line.count'='1',\n  'serialization.null.format'='-'\n)");
  });

  it('regex formats: RegexSerDe whose input.regex reads back to the source pattern exactly', () => {
    for (const source of [s3Access, SOURCES.alb, elb]) {
      if (source.format.kind !== 'regex') throw new Error('regex format expected');
      const ddl = rawTableSql(source, target);
      const literal = /'input\.regex'=('(?:[^'\\]|\\.)*')/.exec(ddl)?.[1] ?? '';
      expect(unescapeHiveLiteral(literal)).toBe(source.format.pattern);
      expect(ddl).toContain("ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'");
    }
  });

  it('CloudTrail: CloudTrailSerde read by CloudTrailInputFormat', () => {
    expect(rawTableSql(cloudtrail, target)).toContain(
      "ROW FORMAT SERDE 'com.amazon.emr.hive.serde.CloudTrailSerde'\n" +
        "STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'\n" +
        "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
    );
  });

  it('CloudFront: tab-delimited, two header lines skipped, manifest-based (its keys name no account)', () => {
    const ddl = rawTableSql(cloudfront, target);
    expect(ddl).toContain("FIELDS TERMINATED BY '\\t'");
    expect(ddl).toContain("'skip.header.line.count'='2'");
    expect(ddl).toContain("STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'");
    expect(ddl).toContain("LOCATION 's3://lake-bucket/lake/_manifests/cloudfront/'");
  });

  it('comments are cut to the 255 bytes Glue keeps', () => {
    const long = `${'é'.repeat(200)} end`;
    const cut = ddlComment(long);
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(255);
    expect(cut.endsWith('…')).toBe(true);
    expect(ddlComment('short')).toBe('short');
  });
});

describe('partition projection', () => {
  it.each<[LogSource, string, string]>([
    [vpcFlow, 'plain', 'AWSLogs/${account}/vpcflowlogs/${region}/${year}/${month}/${day}/'],
    [
      vpcFlow,
      'hive',
      'AWSLogs/aws-account-id=${account}/aws-service=vpcflowlogs/aws-region=${region}/year=${year}/month=${month}/day=${day}/',
    ],
    [cloudtrail, 'plain', 'AWSLogs/${account}/CloudTrail/${region}/${year}/${month}/${day}/'],
    [elb, 'plain', 'AWSLogs/${account}/elasticloadbalancing/${region}/${year}/${month}/${day}/'],
  ])('%s, layout %s: the template is read off the key pattern', (source, layoutName, template) => {
    const layout = source.layouts.find((candidate) => candidate.name === layoutName);
    expect(layout && layoutTemplate(layout)).toEqual({ ok: true, template });
    const ddl = projectionTableSql(source, { ...target, layout: layoutName });
    expect(ddl.kind).toBe('projection');
    expect(ddl.sql).toContain(`'storage.location.template'='s3://raw-bucket/logs/${template}'`);
  });

  it('an organization trail puts its o-… level in the template', () => {
    const ddl = projectionTableSql(cloudtrail, { ...target, organizationId: 'o-a1b2c3d4e5' });
    expect(ddl.sql).toContain(
      "'storage.location.template'='s3://raw-bucket/logs/AWSLogs/o-a1b2c3d4e5/${account}/CloudTrail/${region}/${year}/${month}/${day}/'",
    );
    expect(() => projectionTableSql(cloudtrail, { ...target, organizationId: "o-x'" })).toThrow(UsageError);
  });

  it.each([
    [
      cloudfront,
      /layout "distribution-file": its keys name no account .*the date is only in the file name, not in a folder/,
    ],
    [
      s3Access,
      /layout "partitioned": a folder before the day varies \("\[\^\/\]\+" in the key pattern\); layout "simple": its keys name no account/,
    ],
  ] as const)('%s cannot be projected: it says why and gives the manifest-based table', (source, reason) => {
    const ddl = projectionTableSql(source, target);
    expect(ddl.kind).toBe('manifest');
    if (ddl.kind !== 'manifest') return;
    expect(ddl.explanation).toMatch(reason);
    expect(ddl.explanation).toContain(`s3://lake-bucket/lake/_manifests/${source.name}/`);
    expect(ddl.sql).toBe(rawTableSql(source, { ...target, input: 'manifest' }));
    expect(ddl.sql).toContain("STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'");
    expect(ddl.sql).not.toContain('projection.enabled');
  });

  it('bad enum values, years and layouts are usage errors', () => {
    expect(() => projectionTableSql(elb, { ...target, accounts: ['1,2'] })).toThrow(UsageError);
    expect(() => projectionTableSql(elb, { ...target, regions: ["eu-west-1'"] })).toThrow(UsageError);
    expect(() => projectionTableSql(elb, { ...target, years: { first: 2030, last: 2020 } })).toThrow(
      UsageError,
    );
    expect(() => projectionTableSql(elb, { ...target, layout: 'hive' })).toThrow(/no key layout "hive"/);
  });
});

describe('exact texts for elb', () => {
  it('lines table', () => {
    expect(linesTableSql(elb, target)).toBe(
      [
        'CREATE EXTERNAL TABLE IF NOT EXISTS `athena_logs`.`elb_raw_lines` (',
        "  `line` string COMMENT 'One whole line of a raw object.'",
        ')',
        "COMMENT 'Raw lines of Classic Load Balancer access logs, one string per line, parsed in SQL by the conversion'",
        'PARTITIONED BY (',
        '  `account` string,',
        '  `region` string,',
        '  `year` string,',
        '  `month` string,',
        '  `day` string',
        ')',
        "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe'",
        'WITH SERDEPROPERTIES (',
        "  'field.delim'='31',",
        "  'serialization.last.column.takes.rest'='true',",
        "  'serialization.null.format'=''",
        ')',
        "STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'",
        "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
        "LOCATION 's3://lake-bucket/lake/_manifests/elb/'",
      ].join('\n'),
    );
  });

  it('converted table: its storage clauses', () => {
    const ddl = convertedTableSql(elb, target);
    expect(ddl.startsWith('CREATE EXTERNAL TABLE IF NOT EXISTS `athena_logs`.`elb` (\n')).toBe(true);
    expect(ddl).toContain("  `request_port` int COMMENT 'Port of the requesting client.',\n");
    expect(ddl).toContain("  `record_time` timestamp COMMENT 'The timestamp field as a timestamp (UTC)");
    expect(
      ddl.endsWith(
        [
          'STORED AS PARQUET',
          "LOCATION 's3://lake-bucket/lake/elb/'",
          'TBLPROPERTIES (',
          "  'parquet.compression'='SNAPPY'",
          ')',
        ].join('\n'),
      ),
    ).toBe(true);
  });

  it('projection properties with enumerated accounts and regions', () => {
    const ddl = projectionTableSql(elb, {
      ...target,
      accounts: ['111122223333'],
      regions: ['eu-west-1', 'us-east-1'],
    });
    expect(ddl.sql.split('\nTBLPROPERTIES (\n')[1]).toBe(
      [
        "  'projection.enabled'='true',",
        "  'projection.account.type'='enum',",
        "  'projection.account.values'='111122223333',",
        "  'projection.region.type'='enum',",
        "  'projection.region.values'='eu-west-1,us-east-1',",
        "  'projection.year.type'='integer',",
        "  'projection.year.range'='2013,2099',",
        "  'projection.month.type'='integer',",
        "  'projection.month.range'='1,12',",
        "  'projection.month.digits'='2',",
        "  'projection.day.type'='integer',",
        "  'projection.day.range'='1,31',",
        "  'projection.day.digits'='2',",
        "  'storage.location.template'='s3://raw-bucket/logs/AWSLogs/${account}/elasticloadbalancing/${region}/${year}/${month}/${day}/'",
        ')',
      ].join('\n'),
    );
  });

  it('partition registration', () => {
    const location = 's3://raw-bucket/logs/AWSLogs/111122223333/elasticloadbalancing/eu-west-1/2024/02/03/';
    expect(addPartitionsSql('athena_logs', 'elb_raw', [{ partition, location }])).toEqual([
      'ALTER TABLE `athena_logs`.`elb_raw` ADD IF NOT EXISTS\n' +
        "PARTITION (`account`='111122223333', `region`='eu-west-1', `year`='2024', `month`='02', `day`='03') " +
        `LOCATION '${location}'`,
    ]);
    expect(msckRepairSql('athena_logs', 'elb_raw')).toBe('MSCK REPAIR TABLE `athena_logs`.`elb_raw`');
  });

  it('the lines it reads, and the typed columns and reasons it computes', () => {
    const sql = convertSelectSql(elb, [partition], target);
    expect(partitionFilter([partition])).toBe(
      `("account" = '111122223333' AND "region" = 'eu-west-1' AND "year" = '2024' AND "month" = '02' AND "day" = '03')`,
    );
    expect(sql).toContain(
      `FROM (SELECT "$path" AS "_file", "line" AS "_line", "account", "region", "year", "month", "day" ` +
        `FROM "athena_logs"."elb_raw_lines" WHERE ((` +
        `"account" = '111122223333' AND "region" = 'eu-west-1' AND "year" = '2024' AND "month" = '02' AND "day" = '03'` +
        `)) AND "line" <> '')`,
    );
    expect(sql).toContain(`try_cast("_r_request_port" AS integer) AS "request_port"`);
    expect(sql).toContain(
      `WHEN "_r_sent_bytes" IS NOT NULL AND ("sent_bytes" IS NULL OR NOT regexp_like("_r_sent_bytes", '^[+-]?[0-9]+$')) ` +
        `THEN 'field sent_bytes: "' || substr("_r_sent_bytes", 1, 200) || '" is not a bigint'`,
    );
    expect(sql).toContain(`THEN 'line does not match the elb format' END AS "_shape_reason"`);
    expect(sql.startsWith('SELECT "_file", "_line_number", "_line", "request_timestamp", ')).toBe(true);
  });

  it('derived columns: UTC timestamps', () => {
    const derived = (source: LogSource) =>
      derivedValue(source.columns.find((column) => column.derive) ?? source.columns[0]!);
    expect(derived(elb)).toBe(
      `CAST(try(from_iso8601_timestamp("request_timestamp")) AT TIME ZONE 'UTC' AS timestamp(3))`,
    );
    expect(derived(s3Access)).toBe(
      `CAST(try(parse_datetime("requestdatetime", 'dd/MMM/yyyy:HH:mm:ss Z')) AT TIME ZONE 'UTC' AS timestamp(3))`,
    );
    expect(derived(cloudfront)).toBe(`try_cast(CAST("date" AS varchar) || ' ' || "time" AS timestamp(3))`);
  });
});

describe('each format is parsed in SQL as the embedded engine parses it', () => {
  it("flow logs: each object's header line names its fields (the default format without one); the region rule", () => {
    const sql = convertSelectSql(vpcFlow, [partition], target);
    expect(sql).toContain(
      `min(CASE WHEN NOT regexp_like("_line", '^[0-9]') THEN "_line" END) OVER (PARTITION BY "_file") AS "_header_first"`,
    );
    expect(sql).toContain(
      `coalesce(split("_header_first", ' '), 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status') AS "_h"`,
    );
    expect(sql).toContain(`WHERE NOT ("_is_header" AND "_header_first" = "_header_last")`);
    expect(sql).toContain(
      `nullif(nullif(IF(array_position("_h", 'srcaddr') > 0, element_at("_f", array_position("_h", 'srcaddr'))), ''), '-') AS "_r_srcaddr"`,
    );
    expect(sql).toContain(`' fields where the header names '`);
    expect(sql).toContain(`'region field "' || IF(array_position("_h", 'region') > 0`);
    expect(sql).toContain(`'" differs from the region of the object''s key (' || "region" || ')'`);
  });

  it('CloudFront: the #Fields directive names the fields; comments are neither rows nor rejects', () => {
    const sql = convertSelectSql(cloudfront, [partition], target);
    expect(sql).toContain(`CASE WHEN substr("_line", 1, 8) = '#Fields:' THEN trim(substr("_line", 9)) END`);
    expect(sql).toContain(`regexp_split("_header_first", '[ \\t]+') AS "_h"`);
    expect(sql).toContain(`WHERE NOT "_is_header"`);
    expect(sql).toContain(
      `WHEN "_header_first" IS NULL THEN 'object has no "#Fields:" line naming its fields'`,
    );
  });

  it('CloudTrail: one row per record of each document, numbered; documents that are no records are one reject', () => {
    const sql = convertSelectSql(cloudtrail, [partition], target);
    expect(sql).toContain(`try(json_parse("_line")) AS "_doc"`);
    expect(sql).toContain(`try_cast(json_extract("_doc", '$["Records"]') AS ARRAY(JSON)) AS "_records"`);
    expect(sql).toContain(
      `CROSS JOIN UNNEST(coalesce(d."_records", ARRAY[CAST(NULL AS JSON)])) WITH ORDINALITY AS r ("_record", "_n")`,
    );
    expect(sql).toContain(`WHEN "_doc" IS NULL THEN 'not a JSON document'`);
    expect(sql).toContain(`WHEN "_records" IS NULL THEN 'JSON document without a "Records" array'`);
    expect(sql).toContain(`THEN 'record has no "eventTime"'`);
    expect(sql).toContain(`"_n" AS "_line_number"`);
    // Structs are built field by field from their camelCase keys, NULL when the value is no object.
    expect(sql).toContain(
      `coalesce(json_extract_scalar("_r_useridentity", '$["sessionContext"]["sessionIssuer"]["principalId"]'), `,
    );
    expect(sql).toContain(`transform(try_cast("_r_resources" AS ARRAY(JSON)), x1 -> CASE WHEN`);
  });
});
