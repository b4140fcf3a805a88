import type { HttpRequest } from '@azure/functions';
import { z } from 'zod';
import type { FunctionDefinition } from '../src/platform/functions/index.js';
import { json, parseOrThrow, readJson, withHttpErrors } from '../src/platform/http/index.js';
import {
  AliasSchema,
  ReasonSchema as reason,
  requestPrincipal,
  VersionIdSchema,
} from '../src/platform/registry/index.js';
import type { Services } from '../src/platform/runtime/services.js';

const MAX_BODY_BYTES = 16_384;
const PromoteBody = z.object({
  version: VersionIdSchema,
  alias: AliasSchema.optional(),
  reason,
  /** Optional optimistic check: the version the alias must still hold. */
  from: VersionIdSchema.nullable().optional(),
});
const RollbackBody = z.object({ alias: AliasSchema.optional(), reason });
const ApproveBody = z.object({ version: VersionIdSchema, reason });
const PolicyBody = z.object({ requireApproval: z.boolean(), reason });
const HistoryQuery = z.object({
  at: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date-time, e.g. 2026-11-20T03:00Z')
    .transform((s) => new Date(s))
    .optional(),
  limit: z.coerce.number().int().positive().max(1000).default(100),
});

/**
 * Every admin route, reads included, first establishes the caller: in Azure only Easy Auth's validated
 * principal counts (401 without it), then the use case.
 */
function useCaseOf(request: HttpRequest, services: Services): string {
  requestPrincipal(request.headers, services.settings);
  return services.registry.useCase(request.params.useCase ?? '').name;
}

async function bodyOf<T>(request: HttpRequest, schema: z.ZodType<T>): Promise<T> {
  return parseOrThrow(schema, await readJson(request, MAX_BODY_BYTES), 'request body');
}

/** The caller: Easy Auth's validated principal in Azure (never a name header or a setting). */
const actorOf = (request: HttpRequest, services: Services) => {
  const principal = requestPrincipal(request.headers, services.settings);
  return { actor: principal.name, actorId: principal.id };
};

/** `GET /api/models/{useCase}`: registered versions and where champion and challenger point. */
export const modelsList: FunctionDefinition<Services> = {
  kind: 'http',
  name: 'modelsList',
  route: 'models/{useCase}',
  methods: ['GET'],
  authLevel: 'admin',
  create: (services) =>
    withHttpErrors(async (request) => {
      const useCase = useCaseOf(request, services);
      return json(200, { useCase, ...(await services.registry.list(useCase)) });
    }),
};

/** `POST /api/models/{useCase}/promote` `{ version, alias?, reason, from? }`: one atomic alias move. */
export const modelsPromote: FunctionDefinition<Services> = {
  kind: 'http',
  name: 'modelsPromote',
  route: 'models/{useCase}/promote',
  methods: ['POST'],
  authLevel: 'admin',
  create: (services) =>
    withHttpErrors(async (request) => {
      const useCase = useCaseOf(request, services);
      const body = await bodyOf(request, PromoteBody);
      const move = await services.registry.promote(useCase, body.version, {
        ...actorOf(request, services),
        reason: body.reason,
        ...(body.alias === undefined ? {} : { alias: body.alias }),
        ...(body.from === undefined ? {} : { from: body.from }),
      });
      return json(200, { useCase, ...move });
    }),
};

/** `POST /api/models/{useCase}/rollback` `{ reason, alias? }`: champion back to the version it held before. */
export const modelsRollback: FunctionDefinition<Services> = {
  kind: 'http',
  name: 'modelsRollback',
  route: 'models/{useCase}/rollback',
  methods: ['POST'],
  authLevel: 'admin',
  create: (services) =>
    withHttpErrors(async (request) => {
      const useCase = useCaseOf(request, services);
      const body = await bodyOf(request, RollbackBody);
      const move = await services.registry.rollback(useCase, {
        ...actorOf(request, services),
        reason: body.reason,
        ...(body.alias === undefined ? {} : { alias: body.alias }),
      });
      return json(200, { useCase, ...move });
    }),
};

/** `POST /api/models/{useCase}/approve` `{ version, reason }`: the second pair of eyes a champion needs. */
export const modelsApprove: FunctionDefinition<Services> = {
  kind: 'http',
  name: 'modelsApprove',
  route: 'models/{useCase}/approve',
  methods: ['POST'],
  authLevel: 'admin',
  create: (services) =>
    withHttpErrors(async (request) => {
      const useCase = useCaseOf(request, services);
      const body = await bodyOf(request, ApproveBody);
      const entry = await services.registry.approve(useCase, body.version, {
        ...actorOf(request, services),
        reason: body.reason,
      });
      return json(200, { useCase, entry });
    }),
};

/** `GET /api/models/{useCase}/history?at=ISO&limit=N`: the ledger, and which version was champion at `at`. */
export const modelsHistory: FunctionDefinition<Services> = {
  kind: 'http',
  name: 'modelsHistory',
  route: 'models/{useCase}/history',
  methods: ['GET'],
  authLevel: 'admin',
  create: (services) =>
    withHttpErrors(async (request) => {
      const useCase = useCaseOf(request, services);
      const query = parseOrThrow(HistoryQuery, Object.fromEntries(request.query.entries()), 'query');
      const until = query.at === undefined ? {} : { until: query.at };
      const entries = await services.registry.history(useCase, { ...until, limit: query.limit });
      const [champion, chain] = await Promise.all([
        query.at === undefined
          ? services.registry.list(useCase).then((l) => l.aliases.champion)
          : services.registry.championAt(useCase, query.at),
        services.registry.verifyLedger(useCase),
      ]);
      return json(200, { useCase, at: query.at?.toISOString() ?? null, champion, chain, entries });
    }),
};

/** `GET /api/models/{useCase}/policy`: the approval policy in force. */
export const modelsPolicyGet: FunctionDefinition<Services> = {
  kind: 'http',
  name: 'modelsPolicyGet',
  route: 'models/{useCase}/policy',
  methods: ['GET'],
  authLevel: 'admin',
  create: (services) =>
    withHttpErrors(async (request) => {
      const useCase = useCaseOf(request, services);
      return json(200, { useCase, ...(await services.registry.policy(useCase)) });
    }),
};

/** `POST /api/models/{useCase}/policy` `{ requireApproval, reason }`: changes the policy, audited in the ledger. */
export const modelsPolicySet: FunctionDefinition<Services> = {
  kind: 'http',
  name: 'modelsPolicySet',
  route: 'models/{useCase}/policy',
  methods: ['POST'],
  authLevel: 'admin',
  create: (services) =>
    withHttpErrors(async (request) => {
      const useCase = useCaseOf(request, services);
      const body = await bodyOf(request, PolicyBody);
      const changed = await services.registry.setPolicy(useCase, body.requireApproval, {
        ...actorOf(request, services),
        reason: body.reason,
      });
      return json(200, { useCase, ...changed });
    }),
};

/** `GET /api/models/{useCase}/ledger/verify`: checks the ledger's hash chain (200 intact, 409 broken). */
export const modelsVerifyLedger: FunctionDefinition<Services> = {
  kind: 'http',
  name: 'modelsVerifyLedger',
  route: 'models/{useCase}/ledger/verify',
  methods: ['GET'],
  authLevel: 'admin',
  create: (services) =>
    withHttpErrors(async (request) => {
      const useCase = useCaseOf(request, services);
      const result = await services.registry.verifyLedger(useCase);
      return json(result.ok ? 200 : 409, result);
    }),
};

export const MODEL_FUNCTIONS = [
  modelsList,
  modelsPromote,
  modelsRollback,
  modelsApprove,
  modelsHistory,
  modelsPolicyGet,
  modelsPolicySet,
  modelsVerifyLedger,
] as const;
