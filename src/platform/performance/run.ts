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
        baselineAuc: registryBaselineAuc(options.registry, useCase.name),
      }),
    );
  }
  return reports;
}

/**
 * The AUC a model version was validated with (its manifest), which the AUC-drop alert compares against. A
 * version the registry does not know, or an id that is not a registry version (outputs scored elsewhere),
 * has no baseline.
 */
export function registryBaselineAuc(
  registry: Pick<Registry, 'show'>,
  useCase: string,
): (modelVersion: string) => Promise<number | undefined> {
  return async (version) => {
    try {
      return (await registry.show(useCase, version)).manifest.metrics.auc;
    } catch (error) {
      if (isRiskopsError(error, 'not_found') || isRiskopsError(error, 'invalid_input')) return undefined;
      throw error;
    }
  };
}
