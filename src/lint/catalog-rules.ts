import {
  parseRequestKind,
  REQUEST_KIND,
  REQUEST_KIND_API_VERSION,
  type ParsedDocument,
  type RequestKind,
} from '../catalog/index.js';
import { isPlinthError, type ManifestError } from '../errors/index.js';
import { parseTierPolicy } from '../catalog/index.js';
import type { RuleContext } from './context.js';
import { eventNames } from './event-rules.js';
import type { Findings } from './findings.js';
import { isObj } from './manifests.js';
import { suggestion } from './suggest.js';
import { LintRule } from './types.js';

/** Whether a document is one of the catalog's request kinds (`kinds/*.yaml`). */
export function isRequestKind(object: Record<string, unknown>): boolean {
  return object.kind === REQUEST_KIND && object.apiVersion === REQUEST_KIND_API_VERSION;
}

/** Whether a document is the catalog's tier policy (`policies/tiers.json`). */
export function isTierPolicy(object: Record<string, unknown>): boolean {
  return object.kind === undefined && object.apiVersion === undefined && isObj(object.tiers);
}

function report(findings: Findings, doc: ParsedDocument, err: ManifestError, fix: string): void {
  const position =
    err.line !== undefined ? { line: err.line, column: err.column ?? 1 } : doc.position;
  const message = err.message.replace(/^[^:]*(:\d+){0,2}: /, '');
  findings.error({ file: doc.file, position }, LintRule.catalog, message, fix);
}

/** Checks a request kind as `plinth up` loads it; the kind, when it is valid. */
export function checkRequestKind(doc: ParsedDocument, findings: Findings): RequestKind | undefined {
  try {
    return parseRequestKind(doc);
  } catch (err) {
    if (!isPlinthError(err, 'INVALID_MANIFEST')) throw err;
    report(
      findings,
      doc,
      err as ManifestError,
      'write the request kind as catalog/README.md describes',
    );
    return undefined;
  }
}

/** Checks the tier policy as `plinth up` loads it. */
export function checkTierPolicy(doc: ParsedDocument, findings: Findings): void {
  try {
    parseTierPolicy(doc.object, doc.file);
  } catch (err) {
    if (!isPlinthError(err, 'INVALID_MANIFEST')) throw err;
    report(
      findings,
      doc,
      err as ManifestError,
      'each tier needs approval:, needsApproval: and expires:',
    );
  }
}

/**
 * Checks that a request kind's EventSource event and WorkflowTemplate are
 * among the files linted (when the files define any of that kind).
 */
export function checkRequestKindRefs(
  ctx: RuleContext,
  doc: ParsedDocument,
  kind: RequestKind,
): void {
  const { eventSources, workflowTemplates } = ctx.set;
  const source = eventSources.get(kind.eventSourceName);
  if (eventSources.size > 0 && !source) {
    ctx.findings.error(
      { doc, path: ['spec', 'eventSourceName'] },
      LintRule.eventSourceRef,
      `no EventSource "${kind.eventSourceName}" in the files linted`,
      suggestion(kind.eventSourceName, [...eventSources.keys()]),
    );
  } else if (source) {
    const spec = isObj(source.object.spec) ? source.object.spec : {};
    const hooks = isObj(spec.webhook) ? Object.keys(spec.webhook) : [];
    if (!hooks.includes(kind.eventName)) {
      ctx.findings.error(
        { doc, path: ['spec', 'eventName'] },
        LintRule.eventSourceRef,
        `EventSource "${kind.eventSourceName}" has no webhook event "${kind.eventName}", which requests of this kind are posted to`,
        suggestion(kind.eventName, hooks.length ? hooks : eventNames(source)) ||
          `add a webhook endpoint named ${kind.eventName}`,
      );
    }
  }
  if (workflowTemplates.size > 0 && !workflowTemplates.has(kind.workflowTemplate)) {
    ctx.findings.error(
      { doc, path: ['spec', 'workflowTemplate'] },
      LintRule.templateRef,
      `no WorkflowTemplate "${kind.workflowTemplate}" in the files linted`,
      suggestion(kind.workflowTemplate, [...workflowTemplates.keys()]),
    );
  }
}
