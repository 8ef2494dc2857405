import { UsageError } from './errors.js';
import { AVAILABLE_SOURCES, SOURCES, type FlatLayoutPartition, type SourceName } from './sources/index.js';

/** The account and region of each source whose keys name neither (CloudFront, S3 access logs). */
export type FlatLayouts = Partial<Record<SourceName, FlatLayoutPartition>>;

const ACCOUNT_ID = /^[0-9]{12}$/;
const REGION_NAME = /^(?:[a-z]{2}(?:-[a-z]+)+-[0-9]+|global)$/;

/**
 * `flatLayouts`: `{ "<source>": { "account": "<12 digits>", "region": "<region>" } }`, every value
 * checked; `where` names what holds it (a configuration file, an environment variable).
 */
export function checkFlatLayouts(
  value: unknown,
  path: string,
  where = `Configuration file ${path}`,
): asserts value is FlatLayouts {
  const fail = (field: string, expected: string, given: unknown): never => {
    throw new UsageError(`${where}: "${field}" must be ${expected}, not ${JSON.stringify(given)}.`, {
      key: path,
      field,
    });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('flatLayouts', 'an object keyed by source name', value);
  for (const [name, partition] of Object.entries(value as Record<string, unknown>)) {
    const field = `flatLayouts.${name}`;
    if (!(name in SOURCES)) fail(field, `one of the sources (${AVAILABLE_SOURCES.join(', ')})`, name);
    if (typeof partition !== 'object' || partition === null || Array.isArray(partition))
      fail(field, 'an object with "account" and/or "region"', partition);
    for (const [key, given] of Object.entries(partition as Record<string, unknown>)) {
      if (key === 'account' && !(typeof given === 'string' && ACCOUNT_ID.test(given)))
        fail(`${field}.account`, 'a 12-digit AWS account id (a string)', given);
      else if (key === 'region' && !(typeof given === 'string' && REGION_NAME.test(given)))
        fail(`${field}.region`, 'an AWS region name such as "us-east-1"', given);
      else if (key !== 'account' && key !== 'region')
        fail(`${field}.${key}`, 'absent (known: account, region)', key);
    }
  }
}
