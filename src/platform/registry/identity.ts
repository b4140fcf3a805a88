import { userInfo } from 'node:os';
import { z } from 'zod';
import type { Settings } from '../config/index.js';
import { RiskopsError } from '../errors/index.js';
import { ActorSchema } from './validation.js';

/**
 * Set by App Service authentication (Easy Auth) on the requests it authenticated: base64 JSON of the
 * token's claims. Easy Auth strips it from incoming requests, so in Azure it cannot be forged by a caller.
 */
export const CLIENT_PRINCIPAL_HEADER = 'x-ms-client-principal';

/** Who acts: a stable id (compared for separation of duties) and a display name (written to the ledger). */
export interface Principal {
  id: string;
  name: string;
  /** Where the identity came from: Easy Auth's header, RISKOPS_ACTOR, or the OS user. */
  source: 'easy-auth' | 'settings' | 'os-user';
  roles: readonly string[];
}

const ClientPrincipalSchema = z.object({
  auth_typ: z.string().optional(),
  name_typ: z.string().optional(),
  role_typ: z.string().optional(),
  claims: z.array(z.object({ typ: z.string(), val: z.string() })),
});

const OBJECT_ID_CLAIMS = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'];
const NAME_CLAIMS = [
  'preferred_username',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  'name',
];
const ROLE_CLAIMS = ['roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];

function unauthorized(message: string): RiskopsError {
  return new RiskopsError('unauthorized', message);
}

/**
 * Decodes Easy Auth's `x-ms-client-principal`: the principal id is the Entra object id (`oid`), the name
 * the claim `name_typ` names (else the user name or e-mail claims).
 * @throws RiskopsError `unauthorized` when the header is not base64 JSON of that shape or has no object id.
 */
export function parseClientPrincipal(header: string): Principal {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    throw unauthorized(`${CLIENT_PRINCIPAL_HEADER} is not base64-encoded JSON`);
  }
  const parsed = ClientPrincipalSchema.safeParse(decoded);
  if (!parsed.success) throw unauthorized(`${CLIENT_PRINCIPAL_HEADER} has no claims array`);
  const { claims, name_typ: nameType, role_typ: roleType } = parsed.data;
  const claim = (types: readonly string[]) =>
    types.map((t) => claims.find((c) => c.typ === t)?.val).find((v) => v !== undefined && v.trim() !== '');
  const id = claim(OBJECT_ID_CLAIMS);
  if (id === undefined) throw unauthorized(`${CLIENT_PRINCIPAL_HEADER} carries no object id (oid) claim`);
  const name = claim(nameType === undefined ? NAME_CLAIMS : [nameType, ...NAME_CLAIMS]) ?? id;
  const checkedId = ActorSchema.safeParse(id);
  const checkedName = ActorSchema.safeParse(name);
  if (!checkedId.success || !checkedName.success)
    throw unauthorized(`${CLIENT_PRINCIPAL_HEADER} names a principal that is not printable or too long`);
  const roleTypes = roleType === undefined ? ROLE_CLAIMS : [roleType, ...ROLE_CLAIMS];
  const roles = claims.filter((c) => roleTypes.includes(c.typ)).map((c) => c.val);
  return { id: checkedId.data, name: checkedName.data, source: 'easy-auth', roles };
}

/** Encodes a principal as Easy Auth would (for tests and local tools that stand in for it). */
export function encodeClientPrincipal(p: { id: string; name: string; roles?: readonly string[] }): string {
  const claims = [
    { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: p.id },
    { typ: 'preferred_username', val: p.name },
    ...(p.roles ?? []).map((r) => ({ typ: 'roles', val: r })),
  ];
  return Buffer.from(
    JSON.stringify({ auth_typ: 'aad', name_typ: 'preferred_username', role_typ: 'roles', claims }),
  ).toString('base64');
}

/** Who is acting from a terminal: RISKOPS_ACTOR, else the OS user. Its id is its name. */
export function localPrincipal(settings: Pick<Settings, 'RISKOPS_ACTOR'>): Principal {
  if (settings.RISKOPS_ACTOR !== undefined) {
    const name = ActorSchema.safeParse(settings.RISKOPS_ACTOR);
    if (!name.success) {
      throw new RiskopsError(
        'invalid_settings',
        `RISKOPS_ACTOR ${name.error.issues.map((i) => i.message).join('; ')}`,
      );
    }
    return { id: name.data, name: name.data, source: 'settings', roles: [] };
  }
  let user = 'unknown';
  try {
    user = userInfo().username || 'unknown';
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
  return { id: user, name: user, source: 'os-user', roles: [] };
}

/** The display name of the terminal user (kept for callers that only need a name). */
export const localActor = (settings: Pick<Settings, 'RISKOPS_ACTOR'>): string =>
  localPrincipal(settings).name;

/**
 * Who is acting over HTTP. In Azure (RISKOPS_ENVIRONMENT=azure) only Easy Auth's validated
 * `x-ms-client-principal` counts: no setting and no name header (`x-ms-client-principal-name`) can stand
 * in for it. Locally the same header is honoured when present, else RISKOPS_ACTOR or the OS user.
 * @throws RiskopsError `unauthorized` in Azure without a valid principal.
 */
export function requestPrincipal(
  headers: { get(name: string): string | null },
  settings: Pick<Settings, 'RISKOPS_ENVIRONMENT' | 'RISKOPS_ACTOR'>,
): Principal {
  const header = headers.get(CLIENT_PRINCIPAL_HEADER);
  if (header !== null && header.trim() !== '') return parseClientPrincipal(header.trim());
  if (settings.RISKOPS_ENVIRONMENT === 'azure') {
    throw unauthorized(
      `Model changes need an authenticated caller: App Service authentication (Microsoft Entra ID) must front the admin routes and pass ${CLIENT_PRINCIPAL_HEADER}`,
    );
  }
  return localPrincipal(settings);
}
