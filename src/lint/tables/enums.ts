import {
  ArgoWorkflowOperation,
  Comparator,
  JSONType,
  KubernetesResourceOperation,
  LogicalOperator,
  RateLimitUnit,
  TriggerParameterOperation,
} from '../../sensors/index.js';

/** The values a scalar field may take, by `Type.field`, spelled as Argo spells them. */
export type EnumTables = Readonly<Record<string, readonly string[]>>;

const values = (o: Record<string, string>): string[] => Object.values(o).filter((v) => v !== '');
const imagePullPolicy = ['Always', 'IfNotPresent', 'Never'];
const artifactGCStrategy = ['OnWorkflowCompletion', 'OnWorkflowDeletion', 'Never'];

/** Enumerated fields of the Argo Workflows types. */
export const workflowEnums: EnumTables = {
  'RetryStrategy.retryPolicy': ['Always', 'OnFailure', 'OnError', 'OnTransientError'],
  'Container.imagePullPolicy': imagePullPolicy,
  'ContainerNode.imagePullPolicy': imagePullPolicy,
  'ScriptTemplate.imagePullPolicy': imagePullPolicy,
  'UserContainer.imagePullPolicy': imagePullPolicy,
  'ResourceTemplate.action': ['get', 'create', 'apply', 'delete', 'replace', 'patch'],
  'ResourceTemplate.mergeStrategy': ['strategic', 'merge', 'json'],
  'CronWorkflowSpec.concurrencyPolicy': ['Allow', 'Forbid', 'Replace'],
  'PodGC.strategy': [
    'OnPodCompletion',
    'OnPodSuccess',
    'OnWorkflowCompletion',
    'OnWorkflowSuccess',
  ],
  'VolumeClaimGC.strategy': ['OnWorkflowCompletion', 'OnWorkflowSuccess'],
  'ArtifactGC.strategy': artifactGCStrategy,
  'WorkflowLevelArtifactGC.strategy': artifactGCStrategy,
  'Gauge.operation': ['Set', 'Add', 'Sub'],
  'WorkflowSpec.shutdown': ['Terminate', 'Stop'],
};

/** Enumerated fields of the Argo Events types. */
export const eventEnums: EnumTables = {
  'StandardK8STrigger.operation': values(KubernetesResourceOperation),
  'StandardK8STrigger.patchStrategy': [
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
    'application/apply-patch+yaml',
  ],
  'ArgoWorkflowTrigger.operation': values(ArgoWorkflowOperation),
  'TriggerParameter.operation': values(TriggerParameterOperation),
  'EventDependency.filtersLogicalOperator': values(LogicalOperator),
  'EventDependencyFilter.dataLogicalOperator': values(LogicalOperator),
  'EventDependencyFilter.exprLogicalOperator': values(LogicalOperator),
  'DataFilter.comparator': values(Comparator),
  'DataFilter.type': values(JSONType),
  'RateLimit.unit': values(RateLimitUnit),
  'HTTPTrigger.method': ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
  'AWSLambdaTrigger.invocationType': ['Event', 'RequestResponse', 'DryRun'],
};
