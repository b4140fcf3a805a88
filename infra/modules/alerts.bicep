// Who gets paged, and for what. Every custom metric and event named in a query here is in the app's one list
// (src/platform/telemetry/names.ts); tests/infra checks both ways. Drift: PSI in the "act" band on a feature or
// the score. Batch: a run failed, or a use case had no finished run by the deadline. HTTP scoring: 5xx rate and
// mean latency over the SLO. Model performance: realized AUC under a floor. Plus repeated function failures and
// dead-lettered retrain requests.

param location string
param tags object = {}

param actionGroupName string

@description('Email address that receives alerts. Empty creates the action group without receivers.')
param alertEmail string = ''

param applicationInsightsId string
param serviceBusNamespaceId string
param retrainQueueName string = 'retrain-requests'

@description('PSI at or above this value is the "act" band (DESIGN.md decision 6). A string because Bicep has no decimal literals.')
param psiThreshold string = '0.2'

@description('Failed executions of one function within the window that raise an alert; 5 matches the host\'s default maxDequeueCount.')
@minValue(1)
param failedExecutionThreshold int = 5

@description('Use cases the nightly batch scores: each must report a finished run (riskops.batch.rows) by the deadline.')
param batchUseCases array = [
  'late_payment'
  'invoice_fraud'
  'customer_churn'
]

@description('Hours after 00:00 UTC by which every use case\'s nightly batch run must have finished.')
@minValue(1)
@maxValue(23)
param batchDeadlineHours int = 5

@description('Share of HTTP score requests answered 5xx over 15 minutes that raises an alert.')
param http5xxRateThreshold string = '0.05'

@description('Service level objective: mean duration of HTTP score requests over 15 minutes, in milliseconds.')
@minValue(1)
param latencySloMs int = 300

@description('Realized AUC (matured labels) under this value raises an alert. A string: no decimal literals in Bicep.')
param aucFloor string = '0.7'

var emailReceivers = empty(alertEmail) ? [] : [
  {
    name: 'operations'
    emailAddress: alertEmail
    useCommonAlertSchema: true
  }
]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'riskops'
    enabled: true
    emailReceivers: emailReceivers
  }
}

// The drift run writes one value per use case, model version and feature (and one for the score) per window.
// valueMax is the value itself for a single measurement and the worst one if the SDK aggregated several.
var psiQuery = '''
customMetrics
| where name in ('riskops.drift.psi', 'riskops.drift.score_psi')
| extend useCase = tostring(customDimensions.useCase)
| extend feature = iff(name == 'riskops.drift.score_psi', 'score', tostring(customDimensions.feature))
| project timestamp, useCase, feature, psi = todouble(valueMax)
'''

var batchFailedQuery = '''
customEvents
| where name == 'BatchRunFailed'
| project timestamp, useCase = tostring(customDimensions.useCase), runId = tostring(customDimensions.runId)
'''

// One row per use case with no finished run (riskops.batch.rows is emitted when a run completes) by the deadline.
var batchLateQuery = replace(replace('''
let deadline = startofday(now()) + DEADLINE_HOURSh;
let finished = customMetrics
| where timestamp > startofday(now()) and name == 'riskops.batch.rows'
| distinct useCase = tostring(customDimensions.useCase);
print useCase = dynamic(USE_CASES)
| mv-expand useCase to typeof(string)
| where now() > deadline
| join kind=leftanti finished on useCase
| project timestamp = now(), useCase
''', 'DEADLINE_HOURS', string(batchDeadlineHours)), 'USE_CASES', string(batchUseCases))

// The Functions host records each HTTP invocation as a request with its status code.
var http5xxQuery = '''
requests
| where operation_Name == 'score'
| summarize total = count(), failed = countif(toint(resultCode) >= 500) by bin(timestamp, 15m)
| project timestamp, rate = iff(total == 0, 0.0, todouble(failed) / total)
'''

// riskops.score.latency is pre-aggregated per minute and dimension set: mean = Σ valueSum / Σ valueCount.
var latencyQuery = '''
customMetrics
| where name == 'riskops.score.latency'
| extend useCase = tostring(customDimensions.useCase)
| summarize latency = sum(valueSum) / sum(valueCount) by bin(timestamp, 15m), useCase
'''

var aucQuery = '''
customMetrics
| where name == 'riskops.performance.auc' and tostring(customDimensions.kind) == 'realized'
| project timestamp, useCase = tostring(customDimensions.useCase), auc = todouble(valueMin)
'''

var failuresQuery = '''
requests
| where success == false
| project timestamp, functionName = operation_Name
'''

var anyValue = [
  '*'
]

// name, display name, description, query, measured column ('' counts rows), aggregation, operator, threshold,
// dimensions, frequency and window.
var logRules = [
  {
    name: 'riskops-psi-drift'
    displayName: 'riskops: PSI drift at or above ${psiThreshold}'
    description: 'A feature or the score of a use case drifted into the "act" band (PSI >= ${psiThreshold}). Check the drift report (drift-reports/{useCase}/{date}/report.html); a retrain request is queued once the breach persists.'
    query: psiQuery
    measure: 'psi'
    aggregation: 'Maximum'
    operator: 'GreaterThanOrEqual'
    threshold: json(psiThreshold)
    dimensions: [
      'useCase'
      'feature'
    ]
    frequency: 'PT15M'
    window: 'PT1H'
  }
  {
    name: 'riskops-batch-failed'
    displayName: 'riskops: nightly batch run failed'
    description: 'A nightly batch run failed (BatchRunFailed). Its run status table and the poison queue say which chunk and why.'
    query: batchFailedQuery
    measure: ''
    aggregation: 'Count'
    operator: 'GreaterThan'
    threshold: 0
    dimensions: [
      'useCase'
      'runId'
    ]
    frequency: 'PT15M'
    window: 'PT1H'
  }
  {
    name: 'riskops-batch-late'
    displayName: 'riskops: nightly batch not finished by ${batchDeadlineHours}:00 UTC'
    description: 'A use case has no finished nightly batch run (riskops.batch.rows) today by the deadline.'
    query: batchLateQuery
    measure: ''
    aggregation: 'Count'
    operator: 'GreaterThan'
    threshold: 0
    dimensions: [
      'useCase'
    ]
    frequency: 'PT1H'
    window: 'PT1H'
  }
  {
    name: 'riskops-http-5xx'
    displayName: 'riskops: HTTP scoring 5xx rate over ${http5xxRateThreshold}'
    description: 'More than ${http5xxRateThreshold} of POST /api/score requests failed with a server error in 15 minutes.'
    query: http5xxQuery
    measure: 'rate'
    aggregation: 'Maximum'
    operator: 'GreaterThan'
    threshold: json(http5xxRateThreshold)
    dimensions: []
    frequency: 'PT5M'
    window: 'PT15M'
  }
  {
    name: 'riskops-score-latency'
    displayName: 'riskops: HTTP scoring latency over ${latencySloMs} ms'
    description: 'Mean duration of HTTP score requests (riskops.score.latency) over the ${latencySloMs} ms objective in 15 minutes.'
    query: latencyQuery
    measure: 'latency'
    aggregation: 'Maximum'
    operator: 'GreaterThan'
    threshold: latencySloMs
    dimensions: [
      'useCase'
    ]
    frequency: 'PT5M'
    window: 'PT15M'
  }
  {
    name: 'riskops-auc-drop'
    displayName: 'riskops: realized AUC under ${aucFloor}'
    description: 'The serving model\'s AUC on matured labels (riskops.performance.auc, kind realized) fell under ${aucFloor}.'
    query: aucQuery
    measure: 'auc'
    aggregation: 'Minimum'
    operator: 'LessThan'
    threshold: json(aucFloor)
    dimensions: [
      'useCase'
    ]
    frequency: 'PT1H'
    window: 'P1D'
  }
  {
    name: 'riskops-function-failures'
    displayName: 'riskops: repeated function failures'
    description: 'A function failed ${failedExecutionThreshold} or more times in 15 minutes. For scoreChunk this means a chunk is headed for (or in) score-chunks-poison.'
    query: failuresQuery
    measure: ''
    aggregation: 'Count'
    operator: 'GreaterThanOrEqual'
    threshold: failedExecutionThreshold
    dimensions: [
      'functionName'
    ]
    frequency: 'PT15M'
    window: 'PT15M'
  }
]

resource logAlerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in logRules: {
    name: rule.name
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: 2
      enabled: true
      scopes: [
        applicationInsightsId
      ]
      evaluationFrequency: rule.frequency
      windowSize: rule.window
      // One notification per breach until it resolves.
      autoMitigate: true
      // A new Application Insights resource has no customMetrics or customEvents rows until the app emits them.
      skipQueryValidation: true
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: rule.aggregation
            metricMeasureColumn: empty(rule.measure) ? null : rule.measure
            dimensions: [
              for dimension in rule.dimensions: {
                name: dimension
                operator: 'Include'
                values: anyValue
              }
            ]
            operator: rule.operator
            threshold: rule.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

resource deadLetterAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'riskops-retrain-dead-letters'
  location: 'global'
  tags: tags
  properties: {
    description: 'A retrain request was dead-lettered (its delivery failed maxDeliveryCount times, or it expired).'
    severity: 2
    enabled: true
    scopes: [
      serviceBusNamespaceId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'deadLetteredRetrainRequests'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                retrainQueueName
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// Realized (or, before labels mature, estimated) AUC of a scoring cohort more than 3 points below the AUC the
// model version was validated with. The performance job sends that baseline with each metric (baselineAuc).
resource performanceAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'riskops-performance-auc-drop'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'riskops: AUC dropped more than 3 points'
    description: 'A cohort\'s riskops.performance.auc (kind realized or estimated) is more than 0.03 below the model version\'s validated AUC. Check riskops performance <useCase> and consider a retrain or rollback.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'P1D'
    autoMitigate: true
    skipQueryValidation: true
    criteria: {
      allOf: [
        {
          query: '''
customMetrics
| where name == 'riskops.performance.auc'
| extend useCase = tostring(customDimensions.useCase), kind = tostring(customDimensions.kind), baseline = todouble(customDimensions.baselineAuc)
| where isnotnull(baseline)
| project timestamp, useCase, kind, drop = baseline - todouble(valueMin)
'''
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'drop'
          dimensions: [
            {
              name: 'useCase'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'kind'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: json('0.03')
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

output actionGroupId string = actionGroup.id
output alertRuleNames array = [for rule in logRules: rule.name]
