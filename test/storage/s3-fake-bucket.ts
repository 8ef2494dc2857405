import {
  ListObjectsV2Command,
  NoSuchBucket,
  S3Client,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';

// The SDK's notice about future Node versions is noise in test output (the CLI silences it too).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** One object of a fake bucket. */
export interface FakeObject {
  key: string;
  size: number;
  lastModified: Date;
}

const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * ListObjectsV2 as S3 answers it, over an in-memory bucket: keys in UTF-8 byte order, Prefix,
 * StartAfter, Delimiter (common prefixes and keys counted alike against MaxKeys, default 1,000),
 * opaque continuation tokens. Every answer is kept in `served`, so tests can check that the
 * next request carried the token S3 gave.
 */
export class FakeBucket {
  readonly objects: FakeObject[];
  readonly served: { input: ListObjectsV2CommandInput; output: ListObjectsV2CommandOutput }[] = [];
  private readonly tokens = new Map<string, string>();

  constructor(
    readonly name: string,
    objects: Iterable<FakeObject | string>,
  ) {
    this.objects = [...objects]
      .map((object) =>
        typeof object === 'string'
          ? { key: object, size: object.length, lastModified: new Date('2026-11-22T00:00:00Z') }
          : object,
      )
      .sort((a, b) => byBytes(a.key, b.key));
  }

  listObjectsV2(input: ListObjectsV2CommandInput): ListObjectsV2CommandOutput {
    const prefix = input.Prefix ?? '';
    const delimiter = input.Delimiter;
    const maxKeys = Math.min(input.MaxKeys ?? 1000, 1000);
    // Every entry of the whole listing, in order: objects, and common prefixes once each.
    const entries: ({ kind: 'object'; object: FakeObject } | { kind: 'prefix'; prefix: string })[] = [];
    for (const object of this.objects) {
      if (!object.key.startsWith(prefix)) continue;
      if (input.StartAfter !== undefined && byBytes(object.key, input.StartAfter) <= 0) continue;
      const rest = object.key.slice(prefix.length);
      const cut = delimiter ? rest.indexOf(delimiter) : -1;
      if (cut === -1) {
        entries.push({ kind: 'object', object });
        continue;
      }
      const common = prefix + rest.slice(0, cut + (delimiter ?? '').length);
      const last = entries[entries.length - 1];
      if (last?.kind !== 'prefix' || last.prefix !== common) entries.push({ kind: 'prefix', prefix: common });
    }
    const nameOf = (entry: (typeof entries)[number]) =>
      entry.kind === 'object' ? entry.object.key : entry.prefix;
    let start = 0;
    if (input.ContinuationToken !== undefined) {
      const after = this.tokens.get(input.ContinuationToken);
      if (after === undefined)
        throw new Error(`FakeBucket: unknown continuation token ${input.ContinuationToken}`);
      start = entries.findIndex((entry) => byBytes(nameOf(entry), after) > 0);
      if (start === -1) start = entries.length;
    }
    const page = entries.slice(start, start + maxKeys);
    const truncated = start + maxKeys < entries.length;
    const output: ListObjectsV2CommandOutput = {
      $metadata: { httpStatusCode: 200 },
      Name: this.name,
      Prefix: prefix,
      KeyCount: page.length,
      MaxKeys: maxKeys,
      IsTruncated: truncated,
      Contents: page.flatMap((entry) =>
        entry.kind === 'object'
          ? [{ Key: entry.object.key, Size: entry.object.size, LastModified: entry.object.lastModified }]
          : [],
      ),
      CommonPrefixes: page.flatMap((entry) => (entry.kind === 'prefix' ? [{ Prefix: entry.prefix }] : [])),
    };
    if (delimiter) output.Delimiter = delimiter;
    if (truncated) {
      const token = `token-${this.tokens.size + 1}`;
      this.tokens.set(token, nameOf(page[page.length - 1]!));
      output.NextContinuationToken = token;
    }
    this.served.push({ input, output });
    return output;
  }
}

/** Mocks every S3Client so that ListObjectsV2 is answered by the given fake buckets. */
export function mockS3(...buckets: FakeBucket[]): AwsClientStub<S3Client> {
  const s3 = mockClient(S3Client);
  s3.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => {
    const bucket = buckets.find((candidate) => candidate.name === input.Bucket);
    if (!bucket)
      throw new NoSuchBucket({
        $metadata: { httpStatusCode: 404 },
        message: 'The specified bucket does not exist',
      });
    return bucket.listObjectsV2(input);
  });
  return s3;
}

/** The inputs of the ListObjectsV2 requests a mock received, in order. */
export function listInputs(s3: AwsClientStub<S3Client>): ListObjectsV2CommandInput[] {
  return s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input);
}

/** An S3 client for tests (its requests are answered by the mock). */
export function testClient(): S3Client {
  return new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  });
}
