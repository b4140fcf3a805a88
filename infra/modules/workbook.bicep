// The operations dashboard as code: an Azure Monitor Workbook over Application Insights. Its queries name only
// metrics and events from the app's one list (src/platform/telemetry/names.ts); tests/infra checks both ways.

param location string
param tags object = {}

@description('Application Insights resource the workbook queries.')
param applicationInsightsId string

param displayName string = 'riskops — drift, batch and scoring'

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; this one is stable per resource group.
  name: guid(resourceGroup().id, 'riskops-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsightsId
    serializedData: loadTextContent('../workbooks/riskops.workbook.json')
  }
}

output workbookId string = workbook.id
