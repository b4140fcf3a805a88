// The app's user-assigned identity. It exists before the function app, so its role assignments are in
// place when the host first starts and reads its storage (a system-assigned identity would only exist
// after the app, leaving the first start without access).

param name string
param location string
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
