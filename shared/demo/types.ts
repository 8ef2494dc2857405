/** One demo day of one source for one account and region (CloudFront: region `global`). */
export interface DemoDayOptions {
  account: string;
  region: string;
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** Scales the number of records (1 = the demo's default size). */
  scale?: number;
  seed?: number;
}

/** An object a generator wrote, with its key relative to the raw root and how many lines it holds. */
export interface GeneratedObject {
  key: string;
  lines: number;
  bytes: number;
}

/** Writes a day of realistic raw objects under the raw root, laid out as AWS delivers them. */
export type DemoDayWriter = (rawRoot: string, options: DemoDayOptions) => Promise<GeneratedObject[]>;
