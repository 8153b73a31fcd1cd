import type { Generated } from 'kysely';

/** Table shapes, shared by the SQLite and PostgreSQL dialects (JSON kept as text). */
export interface Database {
  workflows: {
    uid: string;
    name: string;
    namespace: string;
    labels: string;
    phase: string;
    request_id: string | null;
    created_at: string;
    finished_at: string | null;
    manifest: string;
    status: string;
  };
  workflow_labels: { workflow_uid: string; key: string; value: string };
  workflow_nodes: { workflow_uid: string; node_id: string; node: string };
  logs: {
    seq: Generated<number>;
    workflow_uid: string;
    node_id: string;
    stream: string;
    time: string;
    text: string;
  };
  requests: {
    id: string;
    kind: string;
    action: string;
    target: string;
    status: string;
    requester: string;
    body: string;
    message: string | null;
    created_at: string;
    updated_at: string;
    prior_status: string | null;
  };
  resources: {
    kind: string;
    name: string;
    team: string | null;
    status: string;
    inputs: string;
    outputs: string;
    last_request_id: string | null;
    message: string | null;
    created_by: string;
    created_at: string;
    updated_at: string;
  };
  environments: {
    name: string;
    team: string | null;
    status: string;
    inputs: string;
    outputs: string;
    last_request_id: string | null;
    message: string | null;
    created_by: string;
    created_at: string;
    updated_at: string;
    expires_at: string | null;
    expiry_warned_at: string | null;
    protected: number;
    drift: string | null;
  };
  tokens: {
    id: string;
    name: string;
    role: string;
    team: string | null;
    hash: string;
    created_at: string;
    expires_at: string | null;
    revoked_at: string | null;
    last_used_at: string | null;
  };
  events: {
    id: string;
    source: string;
    subject: string;
    type: string;
    time: string | null;
    datacontenttype: string | null;
    data: string | null;
    replay_of: string | null;
    received_at: string;
  };
  event_decisions: {
    seq: Generated<number>;
    event_id: string;
    sensor: string;
    sensor_name: string;
    fired: number;
    decision: string;
    decided_at: string;
  };
  audit_log: {
    seq: Generated<number>;
    time: string;
    actor: string;
    token_id: string | null;
    role: string | null;
    team: string | null;
    action: string;
    target: string;
    request_id: string | null;
    outcome: string;
    status: number | null;
    details: string;
  };
  memo_cache: {
    namespace: string;
    cache_name: string;
    key: string;
    node_id: string;
    outputs: string;
    created_at: string;
    last_hit_at: string | null;
  };
  idempotency_keys: {
    scope: string;
    key: string;
    fingerprint: string;
    state: string;
    status: number | null;
    headers: string | null;
    body: string | null;
    created_at: string;
    expires_at: string;
  };
  applications: {
    environment: string;
    name: string;
    team: string | null;
    deployment_id: string;
    created_by: string;
    created_at: string;
    updated_at: string;
  };
  application_deployments: {
    id: string;
    environment: string;
    application: string;
    action: string;
    version: string;
    image: string;
    replicas: number;
    port: number;
    config_version: number | null;
    status: string;
    revision: string | null;
    message: string | null;
    requester: string;
    created_at: string;
    updated_at: string;
  };
  application_config_versions: {
    environment: string;
    application: string;
    version: number;
    config_values: string;
    sealed_secrets: string;
    created_by: string;
    created_at: string;
  };
  work_claims: {
    kind: string;
    id: string;
    owner: string;
    claimed_at: string;
    expires_at: string;
  };
  sync_slots: {
    lock: string;
    slot: number;
    holder: string;
    workflow: string;
    acquired_at: string;
  };
  sync_waiters: {
    lock: string;
    holder: string;
    workflow: string;
    since: string;
  };
  run_operations: {
    id: string;
    workflow_uid: string;
    owner: string;
    operation: string;
    args: string;
    state: string;
    error: string | null;
    requested_at: string;
    answered_at: string | null;
  };
  sensor_held_events: {
    sensor: string;
    trigger_name: string;
    dependency: string;
    event: string;
    received_at: number | string;
  };
  sensor_handled_events: {
    sensor: string;
    event_id: string;
    handled_at: number | string;
  };
  notification_deliveries: {
    dedupe_key: string;
    target: string;
    notification: string;
    state: string;
    attempts: number;
    created_at: number | string;
    updated_at: number | string;
  };
  sensor_trigger_firings: {
    sensor: string;
    trigger_name: string;
    firing_key: string;
    result: string;
    fired_at: number | string;
  };
}
