import type { Column, StructField } from './types.js';

/**
 * A delivered CloudTrail record field: its converted column and the camelCase JSON key it is read
 * from. `asJsonText` keeps the value as JSON text (objects whose keys vary by service and API).
 */
export interface CloudtrailField extends Column {
  key: string;
  asJsonText?: true;
}

/** A struct sub-field read from a JSON key that differs from its lowercase name. */
function keyed(name: string, key: string, type: StructField['type'] = 'string'): StructField {
  return { name, key, type };
}

/** A struct sub-field whose JSON key is its name (lowercase in the record too). */
function plain(name: string, type: StructField['type'] = 'string'): StructField {
  return { name, type };
}

/**
 * `userIdentity.sessionContext`. The Athena fields first, in the guide's order; then
 * `sourceidentity` and `assumedroot`, which the userIdentity reference documents and the DDL lacks.
 * `webidfederationdata.attributes` is a `map<string,string>` in the guide: with no map type here, it
 * is a string holding the object's JSON text (its keys, such as
 * `cognito-identity.amazonaws.com:amr`, cannot be struct field names).
 */
const SESSION_CONTEXT: StructField['type'] = {
  struct: [
    {
      name: 'attributes',
      type: {
        struct: [keyed('mfaauthenticated', 'mfaAuthenticated'), keyed('creationdate', 'creationDate')],
      },
    },
    {
      name: 'sessionissuer',
      key: 'sessionIssuer',
      type: {
        struct: [
          plain('type'),
          keyed('principalid', 'principalId'),
          plain('arn'),
          keyed('accountid', 'accountId'),
          keyed('username', 'userName'),
        ],
      },
    },
    keyed('ec2roledelivery', 'ec2RoleDelivery'),
    {
      name: 'webidfederationdata',
      key: 'webIdFederationData',
      type: { struct: [keyed('federatedprovider', 'federatedProvider'), plain('attributes')] },
    },
    keyed('sourceidentity', 'sourceIdentity'),
    keyed('assumedroot', 'assumedRoot'),
  ],
};

/**
 * `userIdentity`: the Athena guide's struct, then three fields of the userIdentity reference the
 * DDL lacks, appended so every documented field keeps its place: `identityprovider` (SAML and web
 * identity users), `credentialid` (IAM Identity Center bearer tokens) and `inscopeof` (credentials
 * a service issued to a resource, e.g. a Lambda function).
 */
const USER_IDENTITY: StructField['type'] = {
  struct: [
    plain('type'),
    keyed('principalid', 'principalId'),
    plain('arn'),
    keyed('accountid', 'accountId'),
    keyed('invokedby', 'invokedBy'),
    keyed('accesskeyid', 'accessKeyId'),
    keyed('username', 'userName'),
    {
      name: 'onbehalfof',
      key: 'onBehalfOf',
      type: { struct: [keyed('userid', 'userId'), keyed('identitystorearn', 'identityStoreArn')] },
    },
    { name: 'sessioncontext', key: 'sessionContext', type: SESSION_CONTEXT },
    keyed('identityprovider', 'identityProvider'),
    keyed('credentialid', 'credentialId'),
    {
      name: 'inscopeof',
      key: 'inScopeOf',
      type: {
        struct: [
          keyed('issuertype', 'issuerType'),
          keyed('credentialsissuedto', 'credentialsIssuedTo'),
          keyed('sourcearn', 'sourceArn'),
          keyed('sourceaccount', 'sourceAccount'),
        ],
      },
    },
  ],
};

/**
 * Every field of a CloudTrail record (management, data and network activity events), in the order
 * of the Athena user guide's CREATE TABLE for CloudTrail (manual partitioning), with its types:
 * everything a string except the structs, as the guide has it (`readonly` too: the record's JSON
 * boolean becomes `'true'`/`'false'`). Objects whose shape depends on the service
 * (`requestparameters`, `responseelements`, `additionaleventdata`, `serviceeventdetails`,
 * `edgedevicedetails`) keep their JSON text, for `json_extract_scalar` in queries. Two fields of
 * the record-contents reference the DDL lacks come last: `managementevent` and `eventcontext`.
 */
export const CLOUDTRAIL_FIELDS: readonly CloudtrailField[] = [
  {
    key: 'eventVersion',
    name: 'eventversion',
    type: 'string',
    description: 'Version of the record format, major.minor (e.g. 1.11).',
  },
  {
    key: 'userIdentity',
    name: 'useridentity',
    type: USER_IDENTITY,
    description: 'The IAM identity that made the request and the credentials it used.',
  },
  {
    key: 'eventTime',
    name: 'eventtime',
    type: 'string',
    description: 'When the request completed, ISO 8601 UTC as delivered (e.g. 2024-01-05T10:11:12Z).',
  },
  {
    key: 'eventSource',
    name: 'eventsource',
    type: 'string',
    description: 'The service the request was made to (e.g. s3.amazonaws.com).',
  },
  {
    key: 'eventName',
    name: 'eventname',
    type: 'string',
    description: 'The requested action, an API operation of the service (e.g. GetObject).',
  },
  {
    key: 'awsRegion',
    name: 'awsregion',
    type: 'string',
    description: 'The Region the request was made to.',
  },
  {
    key: 'sourceIPAddress',
    name: 'sourceipaddress',
    type: 'string',
    description: 'Where the request came from: an IPv4/IPv6 address, a service name or "AWS Internal".',
  },
  {
    key: 'userAgent',
    name: 'useragent',
    type: 'string',
    description: 'The agent of the request (console, SDK, CLI, service).',
  },
  {
    key: 'errorCode',
    name: 'errorcode',
    type: 'string',
    description: 'The service error code when the request failed.',
  },
  {
    key: 'errorMessage',
    name: 'errormessage',
    type: 'string',
    description: 'The error description when the request failed.',
  },
  {
    key: 'requestParameters',
    name: 'requestparameters',
    type: 'string',
    asJsonText: true,
    description: 'The request parameters, as JSON text.',
  },
  {
    key: 'responseElements',
    name: 'responseelements',
    type: 'string',
    asJsonText: true,
    description: 'The response of actions that change state, as JSON text.',
  },
  {
    key: 'additionalEventData',
    name: 'additionaleventdata',
    type: 'string',
    asJsonText: true,
    description: 'Data outside request and response (e.g. ConsoleLogin MFAUsed, SwitchFrom), as JSON text.',
  },
  {
    key: 'requestID',
    name: 'requestid',
    type: 'string',
    description: 'The request identifier the called service generated.',
  },
  {
    key: 'eventID',
    name: 'eventid',
    type: 'string',
    description: 'GUID CloudTrail generated for the event.',
  },
  {
    key: 'resources',
    name: 'resources',
    type: { array: { struct: [keyed('arn', 'ARN'), keyed('accountid', 'accountId'), plain('type')] } },
    description: 'Resources accessed: ARN, owning account and type (e.g. AWS::S3::Object).',
  },
  {
    key: 'eventType',
    name: 'eventtype',
    type: 'string',
    description: 'AwsApiCall, AwsServiceEvent, AwsConsoleAction, AwsConsoleSignIn, …',
  },
  {
    key: 'apiVersion',
    name: 'apiversion',
    type: 'string',
    description: 'API version of an AwsApiCall event.',
  },
  {
    key: 'readOnly',
    name: 'readonly',
    type: 'string',
    description: "Whether the operation only reads: 'true' or 'false' (a string, as in the Athena guide).",
  },
  {
    key: 'recipientAccountId',
    name: 'recipientaccountid',
    type: 'string',
    description: 'The account that received this event.',
  },
  {
    key: 'serviceEventDetails',
    name: 'serviceeventdetails',
    type: 'string',
    asJsonText: true,
    description: 'What triggered a service event and its result, as JSON text.',
  },
  {
    key: 'sharedEventID',
    name: 'sharedeventid',
    type: 'string',
    description: 'GUID shared by the events of one action delivered to several accounts.',
  },
  {
    key: 'vpcEndpointId',
    name: 'vpcendpointid',
    type: 'string',
    description: 'The VPC endpoint the request went through.',
  },
  {
    key: 'vpcEndpointAccountId',
    name: 'vpcendpointaccountid',
    type: 'string',
    description: 'The account that owns the VPC endpoint.',
  },
  {
    key: 'eventCategory',
    name: 'eventcategory',
    type: 'string',
    description: 'Management, Data, NetworkActivity or Insight.',
  },
  {
    key: 'addendum',
    name: 'addendum',
    type: {
      struct: [
        plain('reason'),
        keyed('updatedfields', 'updatedFields'),
        keyed('originalrequestid', 'originalRequestID'),
        keyed('originaleventid', 'originalEventID'),
      ],
    },
    description: 'Why a delayed or corrected event was delivered, and which event it completes.',
  },
  {
    key: 'sessionCredentialFromConsole',
    name: 'sessioncredentialfromconsole',
    type: 'string',
    description: "'true' when the request used credentials of a console session.",
  },
  {
    key: 'edgeDeviceDetails',
    name: 'edgedevicedetails',
    type: 'string',
    asJsonText: true,
    description: 'The edge device of the request (Snow family), as JSON text.',
  },
  {
    key: 'tlsDetails',
    name: 'tlsdetails',
    type: {
      struct: [
        keyed('tlsversion', 'tlsVersion'),
        keyed('ciphersuite', 'cipherSuite'),
        keyed('clientprovidedhostheader', 'clientProvidedHostHeader'),
      ],
    },
    description: 'TLS version, cipher suite and host name of the request.',
  },
  {
    key: 'managementEvent',
    name: 'managementevent',
    type: 'boolean',
    description: 'Whether the event is a management event (record contents since 1.06; not in the DDL).',
  },
  {
    key: 'eventContext',
    name: 'eventcontext',
    type: 'string',
    asJsonText: true,
    description: 'Enriched-event context (request and tag context), as JSON text (not in the DDL).',
  },
];
