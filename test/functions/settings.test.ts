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
});
