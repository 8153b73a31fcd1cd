import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { runCli } from '../program.js';
import { memoryIO } from '../testing/fake-api.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const testdata = 'src/lint/testdata';

describe('plinth lint', () => {
  it('prints one FILE:LINE:COLUMN line a finding and exits 1 on errors', async () => {
    const io = memoryIO({}, { cwd: root });
    const code = await runCli(['lint', `${testdata}/refs/bad/events.yaml`], io);
    expect(code).toBe(1);
    const lines = io.out().trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe(
      `${testdata}/refs/bad/events.yaml:26:17: error: eventBusName "eventbus-main" names no EventBus defined in the files linted (did you mean "eventbus-nats"?)`,
    );
    for (const line of lines) expect(line).toMatch(/^[^:]+:\d+:\d+: (error|warning): .+ \(.+\)$/);
    // The two dependencies on an EventSource or event nothing defines are warnings: Argo Events takes them.
    expect(io.err()).toBe('3 linting errors found! (3 errors, 2 warnings in 1 file)\n');
  });

  it('exits 0 on warnings alone', async () => {
    const io = memoryIO({}, { cwd: root });
    expect(await runCli(['lint', `${testdata}/pod-only.yaml`, `${testdata}/security`], io)).toBe(0);
    expect(io.out()).toContain(`${testdata}/pod-only.yaml:7:3: warning: note: `);
    expect(io.out()).toContain(`${testdata}/security/bad.yaml:16:23: warning: `);
    expect(io.err()).toBe('no linting errors found, 3 warnings in 3 files\n');
  });

  it('exits 0 with no output lines for clean manifests, such as the shipped catalog', async () => {
    const io = memoryIO({}, { cwd: root });
    expect(await runCli(['lint', `${testdata}/refs/good`], io)).toBe(0);
    expect(io.out()).toBe('');
    expect(io.err()).toBe('no linting errors found in 1 file\n');
    const catalog = memoryIO({}, { cwd: root });
    expect(await runCli(['lint', 'catalog'], catalog)).toBe(0);
    // Request kinds and the tier policy are checked too; the .tf files are skipped.
    expect(catalog.out()).toBe('');
    expect(catalog.err()).toMatch(/^no linting errors found in \d+ files\n$/);
  });

  it('exits 0 on YAML that only Argo reads, and 1 on wrong values and expressions, in JSON too', async () => {
    const lenient = memoryIO({}, { cwd: root });
    expect(await runCli(['lint', `${testdata}/yaml/go-yaml.yaml.txt`], lenient)).toBe(0);
    expect(lenient.err()).toBe('no linting errors found, 2 warnings in 1 file\n');
    const io = memoryIO({}, { cwd: root });
    const code = await runCli(['lint', '-o', 'json', `${testdata}/checks/sensor-bad.yaml`], io);
    expect(code).toBe(1);
    const findings = JSON.parse(io.out()) as { rule: string; line: number; fix: string }[];
    expect(findings.filter((f) => f.rule === 'trigger-dest')).toEqual([
      expect.objectContaining({ line: 51, fix: 'did you mean "operation"?' }),
      expect.objectContaining({ line: 62, fix: 'did you mean "url"?' }),
    ]);
    expect(new Set(findings.map((f) => f.rule))).toEqual(
      new Set(['event-source-ref', 'enum-value', 'expression', 'dependency-ref', 'trigger-dest']),
    );
  });

  it('prints the findings as a JSON array with -o json', async () => {
    const io = memoryIO({}, { cwd: root });
    const code = await runCli(
      ['lint', '-o', 'json', `${testdata}/yaml/seed-as-printed.yaml.txt`],
      io,
    );
    expect(code).toBe(1);
    const findings = JSON.parse(io.out()) as unknown[];
    expect(findings).toHaveLength(3);
    expect(findings[0]).toEqual({
      file: `${testdata}/yaml/seed-as-printed.yaml.txt`,
      line: 10,
      column: 7,
      severity: 'error',
      message: '"//" is not a YAML comment',
      fix: 'start the comment with "#"',
      rule: 'yaml-syntax',
    });
    expect(io.err()).toBe('');
  });

  it('colours the severity only on a terminal', async () => {
    const io = memoryIO({ FORCE_COLOR: '1' }, { cwd: root });
    await runCli(['lint', `${testdata}/security/bad.yaml`], io);
    expect(io.out()).toContain('\u001b[33mwarning:\u001b[39m');
  });

  it('fails with exit 1 on a path that does not exist, and 2 without any path', async () => {
    const missing = memoryIO({}, { cwd: root });
    expect(await runCli(['lint', 'no/such/dir'], missing)).toBe(1);
    expect(missing.err()).toContain('plinth: no/such/dir: no such file or folder');
    const none = memoryIO({}, { cwd: root });
    expect(await runCli(['lint'], none)).toBe(2);
  });
});
