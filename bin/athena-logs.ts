#!/usr/bin/env node
import { CommanderError } from 'commander';
import { PipelineError, UsageError } from '../shared/errors.js';
import { buildProgram } from './cli/program.js';

// The SDK only talks to the local dynalite here; its notice about future Node versions is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A reader that stops early (`| head`) closes the pipe: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      process.stderr.write(`athena-logs: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof PipelineError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`athena-logs: ${message}\n`);
    return 1;
  }
}

/** Benchmarks read the process's own peak RSS (DuckDB runs in this process). */
function reportPeakRss(): void {
  if (process.env.ATHENA_LOGS_REPORT_RSS)
    process.stderr.write(`peak-rss-bytes=${process.resourceUsage().maxRSS * 1024}\n`);
}

/**
 * Exits once stdout and stderr are flushed: writes to a pipe are asynchronous, and exiting
 * straight away would cut `--json` short for `| jq` or any wrapper reading it.
 */
async function exitAfterFlush(code: number): Promise<never> {
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => stream.write('', () => resolve()));
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

main(process.argv).then(
  (code) => {
    reportPeakRss();
    return exitAfterFlush(code);
  },
  (error: unknown) => {
    process.stderr.write(`athena-logs: ${String(error)}\n`);
    return exitAfterFlush(1);
  },
);
