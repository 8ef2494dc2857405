// dynalite ships no type declarations: this describes the part of its API that we use.
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** LevelDB folder; in memory when omitted. */
    path?: string;
    /** How long a table stays CREATING / DELETING / UPDATING (milliseconds, default 500). */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
    verbose?: boolean;
    debug?: boolean;
  }

  /** Creates (without starting) an HTTP server that speaks the DynamoDB API. */
  export default function dynalite(options?: DynaliteOptions): Server;
}
