import type { ContainerClient } from '@azure/storage-blob';
import { isRiskopsError } from '../errors/index.js';
import type { Registry } from '../registry/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import { evaluatePerformance, type PerformanceReport } from './evaluate.js';
import type { MetricSink, ScoredRecordSource } from './ports.js';

export interface PerformanceJobOptions {
  useCases: readonly AnyUseCase[];
  registry: Registry;
  source: ScoredRecordSource;
  labels: ContainerClient;
  trainingData: ContainerClient;
  sink: MetricSink;
}

/** The daily job: every use case's cohorts as of `asOf`, metrics emitted, joined rows appended. */
export async function runPerformanceJob(
  options: PerformanceJobOptions,
  asOf: string,
): Promise<PerformanceReport[]> {
  const reports: PerformanceReport[] = [];
  for (const useCase of options.useCases) {
    reports.push(
      await evaluatePerformance({
        useCase,
        source: options.source,
        labels: options.labels,
        trainingData: options.trainingData,
        sink: options.sink,
        asOf,
        baselineAuc: async (version) => {
          try {
            return (await options.registry.show(useCase.name, version)).manifest.metrics.auc;
          } catch (error) {
            if (isRiskopsError(error, 'not_found')) return undefined;
            throw error;
          }
        },
      }),
    );
  }
  return reports;
}
