import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blockAfter, entries, literal, scanBicep } from './infra-text.js';

const read = (path: string) => readFileSync(path, 'utf8');

describe('the decision log key in Azure', () => {
  const vault = scanBicep(read('infra/modules/keyvault.bicep'));
  const app = scanBicep(read('infra/modules/functionapp.bicep'));

  it('keeps the HMAC key in an RBAC Key Vault as a secret taken from a secure parameter', () => {
    expect(vault.errors).toEqual([]);
    expect(vault.code).toMatch(/@secure\(\)\s*@minLength\(32\)[\s\S]*param auditHmacKey string/);
    const props = entries(blockAfter(vault, /resource vault 'Microsoft\.KeyVault\/vaults@[^']+' = \{/));
    expect(props.get('name')).toBe('name');
    const body = blockAfter(vault, /resource vault 'Microsoft\.KeyVault\/vaults@[^']+' = \{/);
    expect(body).toMatch(/enableRbacAuthorization:\s*true/);
    expect(body).toMatch(/enablePurgeProtection:\s*true/);
    const secret = blockAfter(vault, /resource hmacKey 'Microsoft\.KeyVault\/vaults\/secrets@[^']+' = \{/);
    expect(secret).toMatch(/value:\s*auditHmacKey/);
  });

  it('lets only the app identity read that one secret (Key Vault Secrets User on the secret)', () => {
    const role = blockAfter(vault, /resource \w+ 'Microsoft\.Authorization\/roleAssignments@[^']+' = \{/);
    expect(entries(role).get('scope')).toBe('hmacKey');
    expect(vault.code).toContain("'4633458b-17de-408a-b874-0445c86b69e6'");
    expect(role).toMatch(/principalId:\s*appPrincipalId/);
  });

  it('hands the app a Key Vault reference resolved with its user-assigned identity', () => {
    const settings = entries(blockAfter(app, /^var appSettings\s*=\s*\{/m));
    const value = settings.get('RISKOPS_AUDIT_HMAC_KEY') ?? '';
    expect(literal(value)).toBeUndefined(); // an expression, never a literal key
    expect(value).toContain(`@Microsoft.KeyVault(SecretUri=${'$'}{auditHmacKeySecretUri})`);
    expect(app.code).toMatch(/keyVaultReferenceIdentity:\s*identityId/);
    const main = read('infra/main.bicep');
    expect(main).toMatch(/auditHmacKeySecretUri:\s*keyVault\.outputs\.auditHmacKeySecretUri/);
    const parameters = JSON.parse(read('infra/main.parameters.json')) as {
      parameters: Record<string, { value: string }>;
    };
    expect(parameters.parameters.auditHmacKey?.value).toBe(`${'$'}{RISKOPS_AUDIT_HMAC_KEY}`);
  });
});
