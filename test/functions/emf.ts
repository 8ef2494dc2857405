import { vi, type MockInstance } from 'vitest';

/** One metric value of an EMF document: its name, value and dimensions. */
export interface EmittedMetric {
  name: string;
  value: number;
  dimensions: Record<string, string>;
}

/**
 * Collects the CloudWatch Embedded Metric Format documents Powertools prints (POWERTOOLS_DEV makes
 * it print through console.log), so tests can check what the alarms and the dashboard will see.
 */
export function captureMetrics(): {
  metrics(): EmittedMetric[];
  total(name: string, dimensions?: Record<string, string>): number;
  restore(): void;
} {
  const spy: MockInstance = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const metrics = (): EmittedMetric[] =>
    spy.mock.calls.flatMap(([line]) => {
      if (typeof line !== 'string' || !line.includes('"_aws"')) return [];
      const document = JSON.parse(line) as Record<string, unknown> & {
        _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
      };
      return document._aws.CloudWatchMetrics.flatMap((directive) =>
        directive.Metrics.flatMap(({ Name }) => {
          const dimensions = Object.fromEntries(
            (directive.Dimensions[0] ?? []).map((name) => [name, String(document[name])]),
          );
          const value = document[Name];
          return (Array.isArray(value) ? value : [value]).map((single) => ({
            name: Name,
            value: Number(single),
            dimensions,
          }));
        }),
      );
    });
  return {
    metrics,
    total: (name, dimensions = {}) =>
      metrics()
        .filter(
          (metric) =>
            metric.name === name &&
            Object.keys(metric.dimensions).length === Object.keys(dimensions).length + 1 &&
            Object.entries(dimensions).every(([key, value]) => metric.dimensions[key] === value),
        )
        .reduce((sum, metric) => sum + metric.value, 0),
    restore: () => spy.mockRestore(),
  };
}
