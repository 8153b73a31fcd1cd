import type { FieldTables } from './shape.js';

/**
 * The fields of the Argo Workflows types that users write (Workflow,
 * WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow), by type. Each
 * entry lists `field` or `field:Shape` (see `parseFieldTable`); a field
 * without a shape holds a scalar or a value Plinth does not look into
 * (Kubernetes pod fields). A test keeps these in step with Argo's schema.
 */
export const workflowFieldTables: FieldTables = {
  ArchiveStrategy: 'none tar:TarStrategy zip',
  Arguments: 'artifacts:[]Artifact parameters:[]Parameter',
  Artifact: `
    archive:ArchiveStrategy archiveLogs artifactGC:ArtifactGC artifactory:ArtifactoryArtifact
    azure:AzureArtifact deleted from fromExpression gcs:GCSArtifact git:GitArtifact globalName
    hdfs:HDFSArtifact http:HTTPArtifact local:LocalArtifact mode name optional oss:OSSArtifact
    path plugin:PluginArtifact raw:RawArtifact recurseMode s3:S3Artifact subPath
  `,
  ArtifactGC: 'podMetadata:Metadata serviceAccountName strategy',
  ArtifactLocation: `
    archiveLogs artifactory:ArtifactoryArtifact azure:AzureArtifact gcs:GCSArtifact
    git:GitArtifact hdfs:HDFSArtifact http:HTTPArtifact oss:OSSArtifact plugin:PluginArtifact
    raw:RawArtifact s3:S3Artifact
  `,
  ArtifactPaths: `
    archive:ArchiveStrategy archiveLogs artifactGC:ArtifactGC artifactory:ArtifactoryArtifact
    azure:AzureArtifact deleted from fromExpression gcs:GCSArtifact git:GitArtifact globalName
    hdfs:HDFSArtifact http:HTTPArtifact mode name optional oss:OSSArtifact path
    plugin:PluginArtifact raw:RawArtifact recurseMode s3:S3Artifact subPath
  `,
  ArtifactRepositoryRef: 'configMap key',
  ArtifactoryArtifact: 'passwordSecret url usernameSecret',
  AzureArtifact: 'accountKeySecret blob container endpoint useSDKCreds',
  Backoff: 'cap duration factor maxDuration',
  BasicAuth: 'passwordSecret usernameSecret',
  Cache: 'configMap',
  ClientCertAuth: 'clientCertSecret clientKeySecret',
  ClusterWorkflowTemplate: 'apiVersion kind metadata:ObjectMeta spec:WorkflowSpec',
  Container: `
    args command env:[]EnvVar envFrom image imagePullPolicy lifecycle livenessProbe name ports
    readinessProbe resizePolicy resources restartPolicy restartPolicyRules securityContext
    startupProbe stdin stdinOnce terminationMessagePath terminationMessagePolicy tty
    volumeDevices volumeMounts workingDir
  `,
  ContainerNode: `
    args command dependencies env:[]EnvVar envFrom image imagePullPolicy lifecycle livenessProbe
    name ports readinessProbe resizePolicy resources restartPolicy restartPolicyRules
    securityContext startupProbe stdin stdinOnce terminationMessagePath terminationMessagePolicy
    tty volumeDevices volumeMounts workingDir
  `,
  ContainerSetRetryStrategy: 'duration retries',
  ContainerSetTemplate: `
    containers:[]ContainerNode retryStrategy:ContainerSetRetryStrategy volumeMounts
  `,
  ContinueOn: 'error failed',
  Counter: 'value',
  CreateS3BucketOptions: 'objectLocking',
  CronWorkflow: 'apiVersion kind metadata:ObjectMeta spec:CronWorkflowSpec status',
  CronWorkflowSpec: `
    concurrencyPolicy failedJobsHistoryLimit schedules startingDeadlineSeconds
    stopStrategy:StopStrategy successfulJobsHistoryLimit suspend timezone when
    workflowMetadata:ObjectMeta workflowSpec:WorkflowSpec
  `,
  DAGTask: `
    arguments:Arguments continueOn:ContinueOn dependencies depends hooks:{}LifecycleHook
    inline:Template name onExit template templateRef:TemplateRef when withItems withParam
    withSequence:Sequence
  `,
  DAGTemplate: 'failFast target tasks:[]DAGTask',
  Data: 'source:DataSource transformation:[]TransformationStep',
  DataSource: 'artifactPaths:ArtifactPaths',
  EnvVar: 'name value valueFrom',
  Event: 'selector',
  ExecutorConfig: 'serviceAccountName',
  ExecutorPlugin: 'metadata:ObjectMeta spec:ExecutorPluginSpec',
  ExecutorPluginSidecar: 'automountServiceAccountToken container:Container',
  ExecutorPluginSpec: 'sidecar:ExecutorPluginSidecar',
  GCSArtifact: 'bucket key serviceAccountKeySecret',
  Gauge: 'operation realtime value',
  GitArtifact: `
    branch depth disableSubmodules fetch insecureIgnoreHostKey insecureSkipTLS passwordSecret
    repo revision singleBranch sshPrivateKeySecret usernameSecret
  `,
  HDFSArtifact: `
    addresses dataTransferProtection force hdfsUser krbCCacheSecret krbConfigConfigMap
    krbKeytabSecret krbRealm krbServicePrincipalName krbUsername path
  `,
  HTTP: `
    body bodyFrom:HTTPBodySource headers:[]HTTPHeader insecureSkipVerify method successCondition
    timeoutSeconds url
  `,
  HTTPArtifact: 'auth:HTTPAuth headers:[]Header saveStreamViaFile url',
  HTTPAuth: 'basicAuth:BasicAuth clientCert:ClientCertAuth oauth2:OAuth2Auth',
  HTTPBodySource: 'bytes',
  HTTPHeader: 'name value valueFrom:HTTPHeaderSource',
  HTTPHeaderSource: 'secretKeyRef',
  Header: 'name value',
  Histogram: 'buckets value',
  Inputs: 'artifacts:[]Artifact parameters:[]Parameter',
  LabelValueFrom: 'expression',
  LocalArtifact: 'key',
  LifecycleHook: 'arguments:Arguments expression template templateRef:TemplateRef',
  ManifestFrom: 'artifact:Artifact',
  Memoize: 'cache:Cache key maxAge',
  Metadata: 'annotations labels',
  MetricLabel: 'key value',
  Metrics: 'prometheus:[]Prometheus',
  Mutex: 'database name namespace',
  OAuth2Auth: `
    clientIDSecret clientSecretSecret endpointParams:[]OAuth2EndpointParam scopes tokenURLSecret
  `,
  OAuth2EndpointParam: 'key value',
  OSSArtifact: `
    accessKeySecret bucket createBucketIfNotPresent endpoint key lifecycleRule:OSSLifecycleRule
    secretKeySecret securityToken useSDKCreds
  `,
  OSSLifecycleRule: 'markDeletionAfterDays markInfrequentAccessAfterDays',
  ObjectMeta: `
    annotations creationTimestamp deletionGracePeriodSeconds deletionTimestamp finalizers
    generateName generation labels managedFields name namespace ownerReferences resourceVersion
    selfLink uid
  `,
  Outputs: 'artifacts:[]Artifact exitCode parameters:[]Parameter result',
  Parameter: 'default description enum globalName name value valueFrom:ValueFrom',
  PluginArtifact: 'configuration connectionTimeoutSeconds key name',
  PodGC: 'deleteDelayDuration labelSelector strategy',
  Prometheus: `
    counter:Counter gauge:Gauge help histogram:Histogram labels:[]MetricLabel name when
  `,
  RawArtifact: 'data',
  ResourceTemplate: `
    action failureCondition flags manifest manifestFrom:ManifestFrom mergeStrategy
    setOwnerReference successCondition
  `,
  RetryAffinity: 'nodeAntiAffinity',
  RetryStrategy: 'affinity:RetryAffinity backoff:Backoff expression limit retryPolicy',
  S3Artifact: `
    accessKeySecret addressingStyle bucket caSecret
    createBucketIfNotPresent:CreateS3BucketOptions encryptionOptions:S3EncryptionOptions
    endpoint insecure key region roleARN secretKeySecret sessionTokenSecret useSDKCreds
  `,
  S3EncryptionOptions: `
    enableEncryption kmsEncryptionContext kmsKeyId serverSideCustomerKeySecret
  `,
  ScriptTemplate: `
    args command env:[]EnvVar envFrom image imagePullPolicy lifecycle livenessProbe name ports
    readinessProbe resizePolicy resources restartPolicy restartPolicyRules securityContext
    source startupProbe stdin stdinOnce terminationMessagePath terminationMessagePolicy tty
    volumeDevices volumeMounts workingDir
  `,
  SemaphoreRef: 'configMapKeyRef database:SyncDatabaseRef namespace',
  Sequence: 'count end format start',
  StopStrategy: 'expression',
  SuspendTemplate: 'duration',
  SyncDatabaseRef: 'key',
  Submit: 'arguments:Arguments metadata:ObjectMeta workflowTemplateRef:WorkflowTemplateRef',
  Synchronization: 'mutexes:[]Mutex semaphores:[]SemaphoreRef',
  TTLStrategy: 'secondsAfterCompletion secondsAfterFailure secondsAfterSuccess',
  TarStrategy: 'compressionLevel',
  Template: `
    activeDeadlineSeconds affinity annotations archiveLocation:ArtifactLocation
    automountServiceAccountToken container:Container containerSet:ContainerSetTemplate daemon
    dag:DAGTemplate data:Data executor:ExecutorConfig failFast hostAliases http:HTTP
    initContainers:[]UserContainer inputs:Inputs memoize:Memoize metadata:Metadata
    metrics:Metrics name nodeSelector outputs:Outputs parallelism pendingTimeout plugin
    podResources podSpecPatch priorityClassName resource:ResourceTemplate resourceClaims
    retryStrategy:RetryStrategy schedulerName script:ScriptTemplate securityContext
    serviceAccountName sidecars:[]UserContainer steps:[][]WorkflowStep suspend:SuspendTemplate
    synchronization:Synchronization timeout tolerations volumes
  `,
  TemplateRef: 'clusterScope name template',
  TransformationStep: 'expression',
  UserContainer: `
    args command env:[]EnvVar envFrom image imagePullPolicy lifecycle livenessProbe
    mirrorVolumeMounts name ports readinessProbe resizePolicy resources restartPolicy
    restartPolicyRules securityContext startupProbe stdin stdinOnce terminationMessagePath
    terminationMessagePolicy tty volumeDevices volumeMounts workingDir
  `,
  ValueFrom: 'configMapKeyRef default event expression jqFilter jsonPath parameter path supplied',
  VolumeClaimGC: 'strategy',
  Workflow: 'apiVersion kind metadata:ObjectMeta spec:WorkflowSpec status',
  WorkflowEventBinding: 'apiVersion kind metadata:ObjectMeta spec:WorkflowEventBindingSpec',
  WorkflowEventBindingSpec: 'event:Event submit:Submit',
  WorkflowLevelArtifactGC: `
    forceFinalizerRemoval podMetadata:Metadata podSpecPatch serviceAccountName strategy
  `,
  WorkflowMetadata: 'annotations labels labelsFrom:{}LabelValueFrom',
  WorkflowSpec: `
    activeDeadlineSeconds affinity archiveLogs arguments:Arguments
    artifactGC:WorkflowLevelArtifactGC artifactRepositoryRef:ArtifactRepositoryRef
    automountServiceAccountToken dnsConfig dnsPolicy entrypoint executor:ExecutorConfig
    executorPlugins:[]ExecutorPlugin hooks:{}LifecycleHook hostAliases hostNetwork
    imagePullSecrets metrics:Metrics nodeSelector onExit parallelism podDisruptionBudget
    podGC:PodGC podMetadata:Metadata podPriorityClassName podResources podSpecPatch priority
    resourceClaims retryStrategy:RetryStrategy schedulerName securityContext serviceAccountName
    shutdown suspend synchronization:Synchronization templateDefaults:Template
    templates:[]Template tolerations ttlStrategy:TTLStrategy volumeClaimGC:VolumeClaimGC
    volumeClaimTemplates volumes workflowMetadata:WorkflowMetadata
    workflowTemplateRef:WorkflowTemplateRef
  `,
  WorkflowStep: `
    arguments:Arguments continueOn:ContinueOn hooks:{}LifecycleHook inline:Template name onExit
    template templateRef:TemplateRef when withItems withParam withSequence:Sequence
  `,
  WorkflowTemplate: 'apiVersion kind metadata:ObjectMeta spec:WorkflowSpec',
  WorkflowTemplateRef: 'clusterScope name',
};
