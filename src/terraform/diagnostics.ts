import { PlinthError } from '../errors/index.js';

/** A diagnostic as Terraform's JSON UI writes it. */
export interface Diagnostic {
  severity: string;
  summary: string;
  detail?: string;
  range?: { filename: string; start: { line: number; column: number } };
}

/** Formats a diagnostic the way Terraform prints it without colour. */
export function formatDiagnostic(d: Diagnostic): string {
  const title = `${d.severity === 'warning' ? 'Warning' : 'Error'}: ${d.summary}`;
  const parts = [title];
  if (d.range) parts.push(`  on ${d.range.filename} line ${d.range.start.line}`);
  if (d.detail) parts.push(d.detail);
  return parts.join('\n\n');
}

const ANSI = new RegExp(String.raw`\u001b\[[0-9;]*m`, 'g');
const BOX = /^[╷│╵] ?/;

/**
 * Terraform's error text from its human output: everything from the first
 * `Error:` line on, without colour codes or the box it may draw around it.
 */
export function errorFromText(text: string): string | undefined {
  const lines = text
    .replace(ANSI, '')
    .split('\n')
    .map((l) => l.replace(BOX, '').trimEnd());
  const first = lines.findIndex((l) => l.startsWith('Error: '));
  if (first < 0) return undefined;
  return lines.slice(first).join('\n').trim();
}

/** The error for a failed terraform command, built from its diagnostics or its stderr. */
export function terraformFailed(
  command: string,
  exitCode: number | null,
  diagnostics: Diagnostic[],
  stderr: string,
): PlinthError {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const message =
    errors.length > 0
      ? errors.map(formatDiagnostic).join('\n\n')
      : (errorFromText(stderr) ??
        (stderr.trim() || `terraform ${command} exited with code ${String(exitCode)}`));
  return new PlinthError('TERRAFORM_FAILED', message, { details: { command, exitCode } });
}
