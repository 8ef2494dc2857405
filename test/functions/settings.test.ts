import { describe, expect, it } from 'vitest';
import { LONGEST_FUNCTION_MINUTES, readSettings } from '../../functions/lib/settings.js';

const ENV = {
  BOOKMARK_TABLE: 'athena-logs-dev-bookmarks',
  RAW_LOCATION: 's3://raw-bucket/',
  LAKE_LOCATION: 's3://lake-bucket/lake/',
  SOURCES: 'alb,vpc_flow',
  ENGINE: 'athena',
  ATHENA_WORKGROUP: 'athena-logs-dev',
  GLUE_DATABASE: 'athena_logs',
};

describe('the functions’ settings', () => {
  it('presumes an invocation dead only after the longest function could have run', () => {
    expect(readSettings({ ...ENV, STUCK_AFTER_MINUTES: '16' }).stuckAfterMinutes).toBe(16);
    expect(readSettings(ENV).stuckAfterMinutes).toBe(30);
    expect(() => readSettings({ ...ENV, STUCK_AFTER_MINUTES: String(LONGEST_FUNCTION_MINUTES) })).toThrow(
      `The environment variable STUCK_AFTER_MINUTES must be a whole number ≥ ${LONGEST_FUNCTION_MINUTES + 1}, not "15".`,
    );
  });

  it('names the variable of a bad number or a missing location', () => {
    expect(() => readSettings({ ...ENV, MAX_IN_FLIGHT: '2.5' })).toThrow(
      /MAX_IN_FLIGHT must be a whole number/,
    );
    const { LAKE_LOCATION: _lake, ...withoutLake } = ENV;
    expect(() => readSettings(withoutLake)).toThrow(/LAKE_LOCATION/);
  });

  it('reads the account and region of flat layouts, and names the field of a bad one', () => {
    const flat = {
      cloudfront: { account: '111122223333' },
      s3_access: { account: '111122223333', region: 'eu-west-1' },
    };
    expect(readSettings({ ...ENV, FLAT_LAYOUTS: JSON.stringify(flat) }).flatLayouts).toEqual(flat);
    expect(readSettings(ENV).flatLayouts).toEqual({});
    expect(() => readSettings({ ...ENV, FLAT_LAYOUTS: '{"cloudfront":{"account":"1234"}}' })).toThrow(
      'The environment variable FLAT_LAYOUTS: "flatLayouts.cloudfront.account" must be a 12-digit AWS account id (a string), not "1234".',
    );
    expect(() => readSettings({ ...ENV, FLAT_LAYOUTS: '[1]' })).toThrow(/FLAT_LAYOUTS must be a JSON object/);
  });

  it('refuses the glue engine without a job to run, naming the deploy parameter', () => {
    expect(() => readSettings({ ...ENV, ENGINE: 'glue', GLUE_JOB_NAME: '' })).toThrow(
      /GLUE_JOB_NAME is empty but ENGINE is glue: deploy with --param glueJobName=/,
    );
    expect(readSettings({ ...ENV, ENGINE: 'glue', GLUE_JOB_NAME: 'athena-logs-convert' }).engine).toBe(
      'glue',
    );
  });

  it('refuses a folder without its closing slash, naming the deploy parameter', () => {
    expect(() => readSettings({ ...ENV, LAKE_LOCATION: 's3://lake-bucket/lake' })).toThrow(
      'The environment variable LAKE_LOCATION (s3://lake-bucket/lake) must end in "/": deploy with --param lakePrefix ending in "/"',
    );
    expect(() => readSettings({ ...ENV, RAW_LOCATION: 's3://raw-bucket/logs' })).toThrow(/--param rawPrefix/);
    expect(() => readSettings({ ...ENV, ATHENA_OUTPUT_LOCATION: 's3://results' })).toThrow(
      /--param athenaOutputLocation/,
    );
    expect(
      readSettings({ ...ENV, ATHENA_OUTPUT_LOCATION: 's3://results/athena/' }).aws.athena.outputLocation,
    ).toBe('s3://results/athena/');
  });
});
