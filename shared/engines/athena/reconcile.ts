import { PipelineError, ReconciliationError } from '../../errors.js';
import type { StepFigures } from '../remote-steps.js';
import type { RemoteConvertRequest, RemoteConvertResult } from '../remote-types.js';
import { ATHENA_STEPS, describeRequest, STEP_LABELS, type AthenaStep } from './plan.js';

/** A finished step's figures from `earlier`, which must hold every step before the last. */
function figuresOf(
  all: Readonly<Record<string, StepFigures>>,
  step: AthenaStep,
  request: RemoteConvertRequest,
): StepFigures & { rows: number } {
  const figures = all[step];
  if (typeof figures?.rows !== 'number')
    throw new PipelineError(
      `The Athena conversion of ${describeRequest(request)} cannot reconcile: the figures of its ${step} step ` +
        `(${STEP_LABELS[step]}) are missing from the earlier steps handed back (found ${JSON.stringify(figures)}).`,
      { source: request.source.name },
    );
  return { ...figures, rows: figures.rows };
}

/**
 * rowsIn (what the parse wrote) = rowsOut + rowsRejected (what the two later CTAS wrote), or a
 * ReconciliationError naming the three queries; the result names the parse query and adds up
 * the bytes scanned and engine time of the three.
 */
export function reconcile(
  request: RemoteConvertRequest,
  all: Readonly<Record<string, StepFigures>>,
): RemoteConvertResult {
  const [parse, rows, rejects] = ATHENA_STEPS.map((step) => figuresOf(all, step, request)) as [
    StepFigures & { rows: number },
    StepFigures & { rows: number },
    StepFigures & { rows: number },
  ];
  if (parse.rows !== rows.rows + rejects.rows)
    throw new ReconciliationError(
      `The Athena conversion of ${describeRequest(request)} does not reconcile: query ${parse.runId} parsed ${parse.rows} lines, ` +
        `query ${rows.runId} wrote ${rows.rows} rows and query ${rejects.runId} ${rejects.rows} rejects.`,
      { source: request.source.name },
    );
  const steps = [parse, rows, rejects];
  return {
    rowsIn: parse.rows,
    rowsOut: rows.rows,
    rowsRejected: rejects.rows,
    bytesIn: request.objects.reduce((sum, object) => sum + object.size, 0),
    engine: {
      kind: 'athena',
      id: parse.runId,
      bytesScanned: steps.reduce((sum, step) => sum + (step.bytesScanned ?? 0), 0),
      engineMs: steps.reduce((sum, step) => sum + (step.engineMs ?? 0), 0),
      state: 'SUCCEEDED',
    },
  };
}
