import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createAppServices } from '../functions/app.js';
import { score } from '../functions/score.js';
import { decisionRecords } from '../src/platform/audit/index.js';
import { loadSettings } from '../src/platform/config/index.js';
import { explainerFor, explainRecords } from '../src/platform/explain/index.js';
import { HttpRequest, InvocationContext } from '../src/platform/host/azure-functions.js';
import { encodeRecords, runModel, toScores, validateRecords } from '../src/platform/scoring/index.js';
import { createStorageClients } from '../src/platform/storage/index.js';
import { requireGenerator } from '../src/platform/use-case/index.js';
import { USE_CASES } from '../src/use_cases/index.js';

const round = (x: number) => Math.round(x * 10) / 10;

function cpuMicros(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

/**
 * What a request costs inside the handler (the number that matters on Azure, where the host does the HTTP
 * plumbing): the score handler called with a real HttpRequest and InvocationContext, reasons and the decision
 * log (Azurite) on. CPU µs per record of this process, and wall µs; plus each stage alone, CPU µs per record, in
 * 100-record calls and in single-record calls (what a single-record request costs without the log write).
 */
export async function benchHandlerCost(connectionString: string): Promise<Record<string, unknown>> {
  const settings = loadSettings({
    env: {
      AzureWebJobsStorage: connectionString,
      RISKOPS_EMBEDDED_AZURITE: 'false',
      RISKOPS_AUDIT_HMAC_KEY: 'bench-hmac-key-0123456789abcdefghijkl',
      RISKOPS_AUDIT_TABLE: `bench${Date.now()}`,
    },
  });
  const services = await createAppServices(
    settings,
    createStorageClients({ kind: 'connectionString', connectionString }),
  );
  if (score.kind !== 'http') throw new Error('score is HTTP');
  const handler = score.create(services);
  const results: Record<string, unknown> = {};
  try {
    for (const useCase of USE_CASES) {
      const records = requireGenerator(useCase)({ rows: 3000, seed: 17 })
        .map(({ [useCase.label.field]: _label, ...record }) => record)
        .filter((record) => useCase.schema.safeParse(record).success);
      const call = async (body: unknown) => {
        const request = new HttpRequest({
          method: 'POST',
          url: `http://localhost/api/score/${useCase.name}`,
          params: { useCase: useCase.name },
          headers: { 'content-type': 'application/json' },
          body: { string: JSON.stringify(body) },
        });
        const context = new InvocationContext({
          invocationId: randomUUID(),
          functionName: 'score',
          logHandler: () => undefined,
        });
        const response = await handler(request, context);
        if (response.status !== 200) throw new Error(`status ${response.status}`);
      };
      const measure = async (requests: number, size: number) => {
        for (let i = 0; i < 20; i++)
          await call(size === 1 ? records[i] : { records: records.slice(0, size) });
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        for (let i = 0; i < requests; i++) {
          const at = (i * size) % (records.length - size);
          await call(size === 1 ? records[at] : { records: records.slice(at, at + size) });
        }
        const wall = (performance.now() - t0) * 1000;
        return {
          requests,
          recordsPerRequest: size,
          cpuMicrosPerRecord: round(cpuMicros(cpu0) / (requests * size)),
          wallMicrosPerRecord: round(wall / (requests * size)),
        };
      };
      const single = await measure(400, 1);
      const batch = await measure(30, 100);
      // Stages alone, CPU µs per record: 100 records as one 100-record call, and as 100 single-record calls.
      const model = await services.models.get(useCase.name);
      const resolution = explainerFor(model);
      if (!resolution.available) throw new Error(resolution.reason);
      const { explainer } = resolution;
      const stages = async (size: number) => {
        const groups = Array.from({ length: 100 / size }, (_, g) => {
          const raw = records.slice(g * size, (g + 1) * size);
          const valid = validateRecords(useCase, raw).valid.map((v) => v.record);
          return { raw, valid, matrix: encodeRecords(useCase, model, valid) };
        });
        const repeat = 20;
        const stage = (fn: (group: (typeof groups)[number], index: number) => unknown) => {
          groups.forEach(fn);
          const cpu0 = process.cpuUsage();
          for (let i = 0; i < repeat; i++) groups.forEach(fn);
          return round(cpuMicros(cpu0) / (repeat * 100));
        };
        const onnxCpu0 = process.cpuUsage();
        for (let i = 0; i < repeat; i++)
          for (const group of groups) await runModel(model, group.matrix, group.valid.length);
        const onnx = round(cpuMicros(onnxCpu0) / (repeat * 100));
        const probabilities = await Promise.all(
          groups.map((group) => runModel(model, group.matrix, group.valid.length)),
        );
        const explanations = groups.map((group) =>
          explainRecords(useCase, explainer, group.valid, group.matrix),
        );
        return {
          validate: stage((group) => validateRecords(useCase, group.raw)),
          features: stage((group) => encodeRecords(useCase, model, group.valid)),
          onnx,
          reasons: stage((group) => explainRecords(useCase, explainer, group.valid, group.matrix)),
          logRecord: stage((group, g) =>
            decisionRecords({
              requestId: 'r',
              time: new Date(),
              useCase,
              model,
              role: 'champion',
              caller: 'c',
              records: group.valid,
              scores: toScores(useCase, group.valid, probabilities[g] as Float32Array),
              explanations: explanations[g] as ReturnType<typeof explainRecords>,
              hmacKey: services.hmacKey as Buffer,
            }),
          ),
        };
      };
      results[useCase.name] = {
        single,
        batch100: batch,
        stagesCpuMicrosPerRecord: await stages(100),
        stagesCpuMicrosPerSingleRecordCall: await stages(1),
      };
      process.stderr.write(`  ${useCase.name}: ${JSON.stringify(results[useCase.name])}\n`);
    }
  } finally {
    await services.close();
  }
  return results;
}
