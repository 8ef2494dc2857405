import type { NamedQuery } from './types.js';

/**
 * Each question is written once, in Athena's (Trino's) dialect; DuckDB reads it with its own JSON
 * function, the only difference between the two (struct fields read `useridentity.arn` in both).
 */
function bothDialects(athena: string): { athena: string; duckdb: string } {
  return { athena, duckdb: athena.replaceAll('json_extract_scalar(', 'json_extract_string(') };
}

/** Calls that are not users' own: S3 doing work for itself, and Athena reading the bucket. */
const NOT_AWS_INTERNAL = "sourceipaddress NOT IN ('AWS Internal', 'athena.amazonaws.com')";

/** A resource identifier: ARN, instance, bucket, key or role name characters; no quotes, spaces or `%`. */
const RESOURCE_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@+=,-]{2,511}$/;

/** The questions users ask of CloudTrail logs (QUERIES.md). */
export const CLOUDTRAIL_QUERIES: readonly NamedQuery[] = [
  {
    name: 's3-requests-by-principal',
    source: 'cloudtrail',
    description: 'Requests to S3 per principal ARN (useridentity.arn), most first.',
    ...bothDialects(`SELECT useridentity.arn AS principal_arn, COUNT(*) AS requests
FROM cloudtrail
WHERE {{partition_filter}} AND eventsource = 's3.amazonaws.com'
GROUP BY useridentity.arn
ORDER BY requests DESC, principal_arn`),
  },
  {
    name: 's3-getobject-by-ip',
    source: 'cloudtrail',
    description: 'GetObject requests per source IP, leaving out AWS Internal and Athena, most first.',
    ...bothDialects(`SELECT sourceipaddress, COUNT(*) AS requests
FROM cloudtrail
WHERE {{partition_filter}} AND eventsource = 's3.amazonaws.com' AND eventname = 'GetObject'
  AND ${NOT_AWS_INTERNAL}
GROUP BY sourceipaddress
ORDER BY requests DESC, sourceipaddress`),
  },
  {
    name: 's3-events-by-name',
    source: 'cloudtrail',
    description: 'S3 events per event name, leaving out AWS Internal and Athena, most first.',
    ...bothDialects(`SELECT eventname, COUNT(*) AS events
FROM cloudtrail
WHERE {{partition_filter}} AND eventsource = 's3.amazonaws.com' AND ${NOT_AWS_INTERNAL}
GROUP BY eventname
ORDER BY events DESC, eventname`),
  },
  {
    name: 's3-event-details',
    source: 'cloudtrail',
    description:
      'The first 100 S3 events by time: name, source IP, bucket and key (from requestparameters), principal ARN.',
    ...bothDialects(`SELECT eventtime, eventname, sourceipaddress,
       json_extract_scalar(requestparameters, '$.bucketName') AS bucket_name,
       json_extract_scalar(requestparameters, '$.key') AS object_key,
       useridentity.arn AS principal_arn
FROM cloudtrail
WHERE {{partition_filter}} AND eventsource = 's3.amazonaws.com' AND ${NOT_AWS_INTERNAL}
ORDER BY eventtime, eventid
LIMIT 100`),
  },
  {
    name: 'iam-user-activity',
    source: 'cloudtrail',
    description:
      'Events made by IAM users (an ARN and a user name), leaving out services acting through AssumeRole; the first 1000 by time.',
    ...bothDialects(`SELECT eventtime, useridentity.username AS username, useridentity.arn AS principal_arn,
       eventsource, eventname, sourceipaddress, errorcode
FROM cloudtrail
WHERE {{partition_filter}} AND useridentity.arn <> '' AND useridentity.username <> 'null'
ORDER BY eventtime, eventid
LIMIT 1000`),
  },
  {
    name: 'resource-creations',
    source: 'cloudtrail',
    description: 'Create* and RunInstances events, leaving out the noisy CreateLog*; the first 1000 by time.',
    ...bothDialects(`SELECT eventtime, eventsource, eventname, useridentity.arn AS principal_arn,
       awsregion, sourceipaddress, errorcode
FROM cloudtrail
WHERE {{partition_filter}} AND (eventname LIKE 'Create%' OR eventname = 'RunInstances')
  AND eventname NOT LIKE 'CreateLog%'
ORDER BY eventtime, eventid
LIMIT 1000`),
  },
  {
    name: 'console-logins',
    source: 'cloudtrail',
    description:
      'The latest 100 console sign-ins and role switches: identity type and ARN, source IP, user agent, outcome, SwitchFrom.',
    ...bothDialects(`SELECT eventtime, account, region, eventname, useridentity.type AS identity_type,
       useridentity.arn AS principal_arn, sourceipaddress, useragent,
       coalesce(json_extract_scalar(responseelements, '$.ConsoleLogin'),
                json_extract_scalar(responseelements, '$.SwitchRole')) AS outcome,
       json_extract_scalar(additionaleventdata, '$.SwitchFrom') AS switch_from
FROM cloudtrail
WHERE {{partition_filter}} AND eventname IN ('ConsoleLogin', 'SwitchRole')
ORDER BY eventtime DESC, eventid
LIMIT 100`),
  },
  {
    name: 'who-created',
    source: 'cloudtrail',
    description:
      'Events whose requestparameters mention a resource identifier (--param resource=…), oldest first; the first 1000.',
    // strpos, not LIKE: `_` and `%` in an identifier must match themselves.
    ...bothDialects(`SELECT eventtime, eventsource, eventname, useridentity.arn AS principal_arn,
       sourceipaddress, awsregion, errorcode, requestparameters
FROM cloudtrail
WHERE {{partition_filter}} AND strpos(requestparameters, {{resource}}) > 0
ORDER BY eventtime, eventid
LIMIT 1000`),
    parameters: {
      resource: {
        description:
          'a resource identifier or ARN, 3–512 characters: letters, digits and . _ : / @ + = , - (e.g. i-0abc1234, my-bucket)',
        pattern: RESOURCE_ID,
      },
    },
  },
];
