// Key Vault for the app's secrets: the key of the decision log's keyed hash of PII fields. RBAC only; the app
// identity may read that one secret (Key Vault Secrets User on the secret, not the vault), through a Key Vault
// reference in its app settings, so the key never appears in plain app settings or in the deployment output.

param name string
param location string
param tags object = {}

@description('Principal id of the app identity that reads the secret.')
param appPrincipalId string

@secure()
@minLength(32)
@description('Key of the keyed HMAC over PII fields in the decision log (RISKOPS_AUDIT_HMAC_KEY). Keep it stable: a new key makes old hashes unmatchable.')
param auditHmacKey string

// Key Vault Secrets User: read secret contents.
var secretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

resource hmacKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'riskops-audit-hmac-key'
  properties: {
    value: auditHmacKey
  }
}

resource appReadsHmacKey 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hmacKey.id, appPrincipalId, secretsUserRoleId)
  scope: hmacKey
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output name string = vault.name
output auditHmacKeySecretUri string = hmacKey.properties.secretUri
