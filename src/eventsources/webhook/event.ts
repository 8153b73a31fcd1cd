/** The payload Argo Events puts in a webhook event. */
export interface WebhookEventData {
  header: Record<string, string[]>;
  body: unknown;
  metadata?: Record<string, string>;
}
