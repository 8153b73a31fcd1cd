import type { FieldTables } from './shape.js';

/**
 * The fields of the Argo Events types (EventBus, EventSource, Sensor), by
 * type, in the notation of `workflowFieldTables`.
 */
export const eventFieldTables: FieldTables = {
  AMQPConsumeConfig: 'autoAck consumerTag exclusive noLocal noWait',
  AMQPEventSource: `
    auth:BasicAuth connectionBackoff:Backoff consume:AMQPConsumeConfig
    exchangeDeclare:AMQPExchangeDeclareConfig exchangeName exchangeType filter:EventSourceFilter
    jsonBody metadata queueBind:AMQPQueueBindConfig queueDeclare:AMQPQueueDeclareConfig
    routingKey tls:TLSConfig url urlSecret
  `,
  AMQPExchangeDeclareConfig: 'autoDelete durable internal noWait',
  AMQPQueueBindConfig: 'noWait',
  AMQPQueueDeclareConfig: 'arguments autoDelete durable exclusive name noWait',
  AWSLambdaTrigger: `
    accessKey functionName invocationType parameters:[]TriggerParameter
    payload:[]TriggerParameter region roleARN secretKey
  `,
  AWSMSKIAMConfig: 'region',
  ArgoWorkflowTrigger: 'args operation parameters:[]TriggerParameter source:ArtifactLocation',
  ArtifactLocation: `
    configmap file:FileArtifact git:GitArtifact inline resource s3:S3Artifact url:URLArtifact
  `,
  AzureEventHubsTrigger: `
    fqdn hubName parameters:[]TriggerParameter payload:[]TriggerParameter sharedAccessKey
    sharedAccessKeyName
  `,
  AzureEventsHubEventSource: `
    filter:EventSourceFilter fqdn hubName metadata sharedAccessKey sharedAccessKeyName
  `,
  AzureQueueStorageEventSource: `
    connectionString decodeMessage dlq filter:EventSourceFilter jsonBody metadata queueName
    storageAccountName waitTimeInSeconds
  `,
  AzureServiceBusEventSource: `
    connectionString deferDelete filter:EventSourceFilter fullyQualifiedNamespace jsonBody
    metadata queueName subscriptionName tls:TLSConfig topicName
  `,
  AzureServiceBusTrigger: `
    connectionString parameters:[]TriggerParameter payload:[]TriggerParameter queueName
    subscriptionName tls:TLSConfig topicName
  `,
  Backoff: 'duration factor jitter steps',
  BasicAuth: 'password username',
  BitbucketAuth: 'basic:BitbucketBasicAuth oauthToken',
  BitbucketBasicAuth: 'password username',
  BitbucketEventSource: `
    auth:BitbucketAuth deleteHookOnFinish events filter:EventSourceFilter metadata owner
    projectKey repositories:[]BitbucketRepository repositorySlug webhook:WebhookContext
  `,
  BitbucketRepository: 'owner repositorySlug',
  BitbucketServerEventSource: `
    accessToken bitbucketserverBaseURL checkInterval deleteHookOnFinish events
    filter:EventSourceFilter metadata oneEventPerChange projectKey projects
    repositories:[]BitbucketServerRepository repositorySlug skipBranchRefsChangedOnOpenPR
    tls:TLSConfig webhook:WebhookContext webhookSecret
  `,
  BitbucketServerRepository: 'projectKey repositorySlug',
  CalendarEventSource: `
    exclusionDates filter:EventSourceFilter interval metadata persistence:EventPersistence
    schedule timezone
  `,
  CatchupConfiguration: 'enabled maxDuration',
  ConditionsResetByTime: 'cron timezone',
  ConditionsResetCriteria: 'byTime:ConditionsResetByTime',
  ConfigMapPersistence: 'createIfNotExist name',
  Container: 'env:[]EnvVar envFrom imagePullPolicy resources securityContext volumeMounts',
  ContainerTemplate: 'imagePullPolicy resources securityContext',
  CustomTrigger: `
    certSecret parameters:[]TriggerParameter payload:[]TriggerParameter secure
    serverNameOverride serverURL spec
  `,
  DataFilter: 'comparator path template type value',
  EmailTrigger: `
    body from host parameters:[]TriggerParameter port smtpPassword subject to username
  `,
  EmitterEventSource: `
    broker channelKey channelName connectionBackoff:Backoff filter:EventSourceFilter jsonBody
    metadata password tls:TLSConfig username
  `,
  EnvVar: 'name value valueFrom',
  EventBus: 'apiVersion kind metadata:ObjectMeta spec:EventBusSpec status',
  EventBusSpec: `
    jetstream:JetStreamBus jetstreamExotic:JetStreamConfig kafka:KafkaBus nats:NATSBus
  `,
  EventContext: 'datacontenttype id source specversion subject time type',
  EventDependency: `
    eventName eventSourceName filters:EventDependencyFilter filtersLogicalOperator name
    transform:EventDependencyTransformer
  `,
  EventDependencyFilter: `
    context:EventContext data:[]DataFilter dataLogicalOperator exprLogicalOperator
    exprs:[]ExprFilter script time:TimeFilter
  `,
  EventDependencyTransformer: 'jq script',
  EventPersistence: 'catchup:CatchupConfiguration configMap:ConfigMapPersistence',
  EventSource: 'apiVersion kind metadata:ObjectMeta spec:EventSourceSpec status',
  EventSourceFilter: 'expression',
  EventSourceSpec: `
    amqp:{}AMQPEventSource azureEventsHub:{}AzureEventsHubEventSource
    azureQueueStorage:{}AzureQueueStorageEventSource
    azureServiceBus:{}AzureServiceBusEventSource bitbucket:{}BitbucketEventSource
    bitbucketserver:{}BitbucketServerEventSource calendar:{}CalendarEventSource
    emitter:{}EmitterEventSource eventBusName file:{}FileEventSource
    generic:{}GenericEventSource gerrit:{}GerritEventSource github:{}GithubEventSource
    gitlab:{}GitlabEventSource hdfs:{}HDFSEventSource kafka:{}KafkaEventSource
    minio:{}S3Artifact mns:{}MNSEventSource mqtt:{}MQTTEventSource nats:{}NATSEventsSource
    nsq:{}NSQEventSource pubSub:{}PubSubEventSource pulsar:{}PulsarEventSource
    redis:{}RedisEventSource redisStream:{}RedisStreamEventSource replicas
    resource:{}ResourceEventSource service:Service sftp:{}SFTPEventSource
    slack:{}SlackEventSource sns:{}SNSEventSource sqs:{}SQSEventSource
    storageGrid:{}StorageGridEventSource stripe:{}StripeEventSource template:Template
    webhook:{}WebhookEventSource
  `,
  ExprFilter: 'expr fields:[]PayloadField',
  FileArtifact: 'path',
  FileEventSource: `
    eventType filter:EventSourceFilter metadata polling watchPathConfig:WatchPathConfig
  `,
  GenericEventSource: 'authSecret config filter:EventSourceFilter insecure jsonBody metadata url',
  GerritEventSource: `
    auth:BasicAuth deleteHookOnFinish events filter:EventSourceFilter gerritBaseURL hookName
    maxTries metadata projects sslVerify webhook:WebhookContext
  `,
  GitArtifact: `
    branch cloneDirectory creds:GitCreds filePath githubApp:GithubAppCreds insecureIgnoreHostKey
    ref remote:GitRemoteConfig sshKeySecret tag url
  `,
  GitCreds: 'password username',
  GitRemoteConfig: 'name urls',
  GithubAppCreds: 'appID installationID privateKey',
  GithubEventSource: `
    active apiToken contentType deleteHookOnFinish events filter:EventSourceFilter
    githubApp:GithubAppCreds githubBaseURL githubUploadURL id insecure metadata organizations
    owner repositories:[]OwnedRepositories repository webhook:WebhookContext webhookSecret
  `,
  GitlabEventSource: `
    accessToken deleteHookOnFinish enableSSLVerification events filter:EventSourceFilter
    gitlabBaseURL groups metadata projectID projects secretToken webhook:WebhookContext
  `,
  HDFSEventSource: `
    addresses checkInterval directory filter:EventSourceFilter hdfsUser krbCCacheSecret
    krbConfigConfigMap krbKeytabSecret krbRealm krbServicePrincipalName krbUsername metadata
    path pathRegexp type
  `,
  HTTPTrigger: `
    basicAuth:BasicAuth dynamicHeaders:[]TriggerParameter headers host method
    parameters:[]TriggerParameter payload:[]TriggerParameter secureHeaders:[]SecureHeader
    timeout tls:TLSConfig url
  `,
  JetStreamBus: `
    affinity containerTemplate:ContainerTemplate imagePullSecrets maxPayload metadata:Metadata
    metricsContainerTemplate:ContainerTemplate nodeSelector persistence:PersistenceStrategy
    priority priorityClassName reloaderContainerTemplate:ContainerTemplate replicas
    securityContext serviceAccountName settings startArgs streamConfig tolerations version
  `,
  JetStreamConfig: 'accessSecret streamConfig tls:TLSConfig url',
  K8SResourcePolicy: 'backoff:Backoff errorOnBackoffTimeout labels',
  KafkaBus: `
    consumerGroup:KafkaConsumerGroup partitioner sasl:SASLConfig tls:TLSConfig topic url version
  `,
  KafkaConsumerGroup: 'groupName oldest rebalanceStrategy',
  KafkaEventSource: `
    awsMskIamAuth:AWSMSKIAMConfig config connectionBackoff:Backoff
    consumerGroup:KafkaConsumerGroup filter:EventSourceFilter jsonBody limitEventsPerSecond
    metadata partition sasl:SASLConfig schemaRegistry:SchemaRegistryConfig tls:TLSConfig topic
    url version
  `,
  KafkaTrigger: `
    compress flushFrequency headers parameters:[]TriggerParameter partition partitioningKey
    payload:[]TriggerParameter requiredAcks sasl:SASLConfig schemaRegistry:SchemaRegistryConfig
    secureHeaders:[]SecureHeader tls:TLSConfig topic url version
  `,
  LogTrigger: 'intervalSeconds',
  MNSEventSource: 'accessKey endpoint filter:EventSourceFilter jsonBody queue secretKey',
  MQTTEventSource: `
    auth:BasicAuth clientId connectionBackoff:Backoff filter:EventSourceFilter jsonBody metadata
    tls:TLSConfig topic url
  `,
  Metadata: 'annotations labels',
  NATSAuth: 'basic:BasicAuth credential nkey token',
  NATSBus: 'exotic:NATSConfig native:NativeStrategy',
  NATSConfig: 'accessSecret auth clusterID url',
  NATSEventsSource: `
    auth:NATSAuth connectionBackoff:Backoff filter:EventSourceFilter jsonBody metadata queue
    subject tls:TLSConfig url
  `,
  NATSTrigger: `
    auth:NATSAuth parameters:[]TriggerParameter payload:[]TriggerParameter subject tls:TLSConfig
    url
  `,
  NSQEventSource: `
    channel connectionBackoff:Backoff filter:EventSourceFilter hostAddress jsonBody metadata
    tls:TLSConfig topic
  `,
  NativeStrategy: `
    affinity auth containerTemplate:ContainerTemplate imagePullSecrets maxAge maxBytes maxMsgs
    maxPayload maxSubs metadata:Metadata metricsContainerTemplate:ContainerTemplate nodeSelector
    persistence:PersistenceStrategy priority priorityClassName raftCommitTimeout
    raftElectionTimeout raftHeartbeatTimeout raftLeaseTimeout replicas securityContext
    serviceAccountName tolerations
  `,
  ObjectMeta: `
    annotations creationTimestamp deletionGracePeriodSeconds deletionTimestamp finalizers
    generateName generation labels managedFields name namespace ownerReferences resourceVersion
    selfLink uid
  `,
  OpenWhiskTrigger: `
    actionName authToken host namespace parameters:[]TriggerParameter payload:[]TriggerParameter
    version
  `,
  OwnedRepositories: 'names owner',
  PayloadField: 'name path',
  PersistenceStrategy: 'accessMode storageClassName volumeSize',
  PubSubEventSource: `
    credentialSecret deleteSubscriptionOnFinish filter:EventSourceFilter jsonBody metadata
    projectID subscriptionID topic topicProjectID
  `,
  PulsarEventSource: `
    authAthenzParams authAthenzSecret authTokenSecret connectionBackoff:Backoff
    filter:EventSourceFilter jsonBody metadata tls:TLSConfig tlsAllowInsecureConnection
    tlsTrustCertsSecret tlsValidateHostname topics type url
  `,
  PulsarTrigger: `
    authAthenzParams authAthenzSecret authTokenSecret connectionBackoff:Backoff
    parameters:[]TriggerParameter payload:[]TriggerParameter tls:TLSConfig
    tlsAllowInsecureConnection tlsTrustCertsSecret tlsValidateHostname topic url
  `,
  RateLimit: 'requestsPerUnit unit',
  RedisEventSource: `
    channels db filter:EventSourceFilter hostAddress jsonBody metadata namespace password
    tls:TLSConfig username
  `,
  RedisStreamEventSource: `
    consumerGroup db filter:EventSourceFilter hostAddress maxMsgCountPerRead metadata password
    streams tls:TLSConfig username
  `,
  ResourceEventSource: `
    eventTypes filter:ResourceFilter group metadata namespace resource version
  `,
  ResourceFilter: 'afterStart createdBy fields:[]Selector labels:[]Selector prefix',
  S3Artifact: `
    accessKey bucket:S3Bucket caCertificate endpoint events filter:S3Filter insecure metadata
    region secretKey
  `,
  S3Bucket: 'key name',
  S3Filter: 'prefix suffix',
  SASLConfig: 'mechanism passwordSecret userSecret',
  SFTPEventSource: `
    address eventType filter:EventSourceFilter metadata password pollIntervalDuration
    sshKeySecret username watchPathConfig:WatchPathConfig
  `,
  SNSEventSource: `
    accessKey endpoint filter:EventSourceFilter metadata region roleARN secretKey topicArn
    validateSignature webhook:WebhookContext
  `,
  SQSEventSource: `
    accessKey dlq endpoint filter:EventSourceFilter jsonBody metadata queue queueAccountId
    region roleARN secretKey sessionToken waitTimeSeconds
  `,
  SchemaRegistryConfig: 'auth:BasicAuth schemaId url',
  SecureHeader: 'name valueFrom:ValueFromSource',
  Selector: 'key operation value',
  Sensor: 'apiVersion kind metadata:ObjectMeta spec:SensorSpec status',
  SensorSpec: `
    dependencies:[]EventDependency errorOnFailedRound eventBusName loggingFields replicas
    revisionHistoryLimit template:Template triggers:[]Trigger
  `,
  Service: 'clusterIP metadata:Metadata ports',
  SlackEventSource: 'filter:EventSourceFilter metadata signingSecret token webhook:WebhookContext',
  SlackSender: 'icon username',
  SlackThread: 'broadcastMessageToChannel messageAggregationKey',
  SlackTrigger: `
    attachments blocks channel message parameters:[]TriggerParameter sender:SlackSender
    slackToken thread:SlackThread
  `,
  StandardK8STrigger: `
    liveObject operation parameters:[]TriggerParameter patchStrategy source:ArtifactLocation
  `,
  StatusPolicy: 'allow',
  StorageGridEventSource: `
    apiURL authToken bucket events filter:StorageGridFilter metadata region tls:TLSConfig
    topicArn webhook:WebhookContext
  `,
  StorageGridFilter: 'prefix suffix',
  StripeEventSource: 'apiKey createWebhook eventFilter metadata webhook:WebhookContext',
  TLSConfig: 'caCertSecret clientCertSecret clientKeySecret enabled insecureSkipVerify',
  Template: `
    affinity container:Container imagePullSecrets metadata:Metadata nodeSelector priority
    priorityClassName securityContext serviceAccountName tolerations volumes
  `,
  TimeFilter: 'start stop timezone',
  Trigger: `
    atLeastOnce dlqTrigger:Trigger parameters:[]TriggerParameter policy:TriggerPolicy
    rateLimit:RateLimit retryStrategy:Backoff template:TriggerTemplate
  `,
  TriggerParameter: 'dest operation src:TriggerParameterSource',
  TriggerParameterSource: `
    contextKey contextTemplate dataKey dataTemplate dependencyName useRawData value
  `,
  TriggerPolicy: 'k8s:K8SResourcePolicy status:StatusPolicy',
  TriggerTemplate: `
    argoWorkflow:ArgoWorkflowTrigger awsLambda:AWSLambdaTrigger
    azureEventHubs:AzureEventHubsTrigger azureServiceBus:AzureServiceBusTrigger conditions
    conditionsReset:[]ConditionsResetCriteria custom:CustomTrigger email:EmailTrigger
    http:HTTPTrigger k8s:StandardK8STrigger kafka:KafkaTrigger log:LogTrigger name
    nats:NATSTrigger openWhisk:OpenWhiskTrigger pulsar:PulsarTrigger slack:SlackTrigger
  `,
  URLArtifact: 'path verifyCert',
  ValueFromSource: 'configMapKeyRef secretKeyRef',
  WatchPathConfig: 'directory path pathRegexp',
  WebhookContext: `
    authSecret endpoint maxPayloadSize metadata method port serverCertSecret serverKeySecret url
  `,
  WebhookEventSource: `
    authSecret endpoint filter:EventSourceFilter maxPayloadSize metadata method port
    serverCertSecret serverKeySecret url
  `,
};
