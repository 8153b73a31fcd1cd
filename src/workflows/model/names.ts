import { randomInt } from 'node:crypto';

const ALPHANUMERIC = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * The suffix Kubernetes appends to `metadata.generateName`: five characters
 * from its alphabet (no vowels, no confusable digits).
 */
export function randomNameSuffix(): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

/** FNV-1a, 32 bits: what Argo hashes node names with. */
export function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A node's id: the workflow's name for the root node, else `<workflow>-<fnv32a(nodeName)>`. */
export function nodeId(workflowName: string, nodeName: string): string {
  return nodeName === workflowName ? workflowName : `${workflowName}-${fnv32a(nodeName)}`;
}

const MAX_POD_PREFIX = 253 - 10;

/** The pod name Argo (pod names v2) would give the node: `<workflow>-<template>-<hash>`. */
export function podName(
  workflowName: string,
  nodeName: string,
  templateName: string | undefined,
): string {
  if (workflowName === nodeName) return workflowName;
  let prefix = templateName ? `${workflowName}-${templateName}` : workflowName;
  if (prefix.length > MAX_POD_PREFIX - 1) prefix = prefix.slice(0, MAX_POD_PREFIX - 1);
  return `${prefix}-${fnv32a(nodeName)}`;
}

/** Now, as Kubernetes writes times: RFC 3339, UTC, second precision. */
export function timestamp(at: Date = new Date()): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
