import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cronProblem, isTimeZone } from './cron-rules.js';
import { createLinter, formatFinding, type LintReport } from './index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const linter = createLinter({ cwd: here });

const errorsOf = (r: LintReport): string[] =>
  r.findings.filter((f) => f.severity === 'error').map((f) => f.message);

/**
 * One manifest per rule of Argo's workflow validator (`argo lint`), each
 * broken in one way, and the fact that the validator states about it.
 */
const invalid: readonly [file: string, fact: RegExp][] = [
  ['template-twice', /template "main" is defined twice/],
  ['input-twice', /input parameter "colour" is declared twice/],
  ['input-unnamed', /an input parameter without a name/],
  ['input-undeclared', /template "main" has no input parameter "colour"/],
  ['step-unknown', /no step "frist"/],
  ['argument-missing', /templates\.echo inputs\.parameters\.text was not supplied/],
  ['template-name-invalid', /template name "build_it" is invalid/],
  ['step-name-invalid', /step name "run it" is invalid/],
  ['parameter-name-invalid', /input parameter name "my colour" is invalid/],
  ['artifact-argument-name-invalid', /argument artifact name "data!" is invalid/],
  ['output-no-value', /output parameter "answer" .*neither value nor valueFrom/],
  ['output-two-sources', /valueFrom names more than one source/],
  ['output-container-no-path', /valueFrom\.path is required/],
  ['output-steps-no-parameter', /steps template needs valueFrom\.parameter or expression/],
  ['two-kinds', /more than one kind \(container, script\)/],
  ['no-kind', /template "main" has no kind/],
  ['mount-twice', /mountPath "\/work" .*already mounted/],
  ['deadline-negative', /activeDeadlineSeconds .*must be a positive integer/],
  ['deadline-on-steps', /activeDeadlineSeconds .*only valid for leaf templates/],
  ['parallelism-on-leaf', /parallelism .*only valid for steps and dag templates/],
  ['artifact-argument-nowhere', /argument artifact "data" says neither where it comes from/],
  ['resource-manifest-not-yaml', /resource\.manifest .*is not valid YAML/],
  ['resource-action-unknown', /"upsert" is not a value of .*resource\.action/],
  ['podgc-strategy', /"WhenDone" is not a value of spec\.podGC\.strategy/],
  ['podgc-selector', /"Equals" is not a label selector operator/],
  ['metric-name', /metric name "runs\.total" .*is invalid/],
  ['metric-label', /metric label "team\.name" .*is invalid/],
  ['metric-help', /metric "runs_total" .*has no help/],
  ['metric-realtime', /resourcesDuration metrics cannot be real-time/],
  ['metric-gauge-value', /gauge has no value/],
  ['container-no-image', /container\.image .*may not be empty/],
  ['script-no-image', /script\.image .*may not be empty/],
  ['workflow-name-long', /Workflow name .* is 67 characters long; Argo allows at most 63/],
  ['containerset-dependency', /depends on "c", which the containerSet does not define/],
  ['containerset-reserved', /container name "wait" .*reserved/],
  ['sidecar-reserved', /sidecar name "wait" .*reserved/],
  ['init-container-unnamed', /an init container .*has no name/],
  ['workflow-variable-unknown', /"workflow\.colour" is no workflow variable/],
  [
    'workflow-parameter-undeclared',
    /"colour" is not among the workflow's spec\.arguments\.parameters/,
  ],
  ['entrypoint-missing', /spec\.entrypoint is required/],
  ['entrypoint-unknown', /no template "start"/],
  ['entrypoint-list', /spec\.entrypoint must be the name of a template/],
  ['field-unknown', /unknown field "colour"/],
  ['onexit-unknown', /no template "tidy-up"/],
  ['when-invalid', /when: Invalid 'when' expression/],
  ['loop-two-ways', /loops more than one way \(withItems, withParam\)/],
  ['sequence-count-and-end', /withSequence .*gives both count and end/],
  ['hook-no-expression', /hook "running" has no expression/],
  ['input-artifact-from', /input artifact "data" .*has "from", which only arguments take/],
  ['enum-empty', /parameter "size" has an empty enum/],
  ['enum-value-outside', /value "huge" of parameter "size" is not in its enum/],
  ['timeout-on-steps', /steps template, which does not take timeout/],
  ['dag-cycle', /dependency cycle: a -> c -> b -> a/],
  ['dag-dependency-unknown', /no dag task "ghost"/],
  ['dag-depends-and-dependencies', /uses both depends and dependencies/],
  ['dag-continueon-with-depends', /uses depends, so a task may not use continueOn/],
  ['dag-name-digit', /task name "1st" begins with a digit/],
  ['dag-argument-not-ancestor', /task "c" reads task "b" but does not depend on it/],
  ['dag-target-unknown', /no dag task "nowhere"/],
  ['dag-template-unknown', /no template "leef"/],
  ['dag-argument-valuefrom', /valueFrom takes only default, configMapKeyRef and supplied/],
  ['dag-output-unknown', /has no output parameter "nope"/],
  ['dag-empty', /has no task/],
  ['dag-items-condition', /a\.AnySucceeded, but task "a" does not loop over items/],
  ['step-reads-later-step', /step "early" runs before step "late", so it cannot read it/],
  ['dag-status-not-ancestor', /task "c" does not depend on task "b", so its status is not known/],
  [
    'pod-resources-kind',
    /podResources of the workflow: "nvidia\.com\/gpu" is not a pod-level resource/,
  ],
  ['pod-resources-claims', /podResources of template "main" has claims/],
  ['pod-resources-http', /an http template, .*podResources does not apply/],
  ['resource-claims-steps', /a steps template, which creates no pod of its own: resourceClaims/],
  ['cron-schedule', /cron schedule "0 25 \* \* \*" is malformed: hour "25"/],
  ['cron-schedule-fields', /expected 5 fields .*found 4/],
  ['cron-no-schedule', /needs at least one schedule/],
  ['cron-timezone', /timezone "Mars\/Olympus_Mons" is not an IANA time zone/],
  ['cron-concurrency', /"Queue" is not a value of spec\.concurrencyPolicy/],
  ['cron-deadline', /startingDeadlineSeconds -30 is negative/],
  ['cron-when', /\{\{= cronworkflow\.failed >= \}\} is not an expression/],
  ['cron-stop', /expression "cronworkflow\.succeeded ==== 2" does not parse/],
  ['cron-name-long', /CronWorkflow name .* is 53 characters long; Argo allows at most 52/],
];

describe("plinth lint: what Argo's validator refuses", () => {
  it.each(invalid)('%s: an error that names the problem', async (name, fact) => {
    const r = await linter.lintPaths([`testdata/argo-invalid/${name}.yaml`]);
    expect(r.errors).toBeGreaterThan(0);
    expect(errorsOf(r)).toContainEqual(expect.stringMatching(fact));
  });

  it('has a case for every fixture, and a fixture for every case', async () => {
    const r = await linter.lintPaths(['testdata/argo-invalid']);
    const files = r.files.map((f) => path.basename(f, '.yaml')).sort();
    expect(files).toEqual(invalid.map(([name]) => name).sort());
  });
});

describe("plinth lint: what Argo's validator accepts", () => {
  it('passes each rule written right, with no finding at all', async () => {
    const r = await linter.lintPaths(['testdata/argo-valid/validator-rules.yaml']);
    expect(r.findings.map(formatFinding)).toEqual([]);
  });

  it('reads a symbolic link checked out as a file of one path as the manifest it names', async () => {
    const r = await linter.lintPaths(['testdata/links/linked.yaml']);
    expect(r.findings).toEqual([]);
    expect(r.files).toEqual(['testdata/links/linked.yaml']);
  });

  it('only warns about a WorkflowTemplate reference that the files do not define', () => {
    const text = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: WorkflowTemplate',
      'metadata: {name: caller}',
      'spec:',
      '  templates:',
      '    - name: main',
      '      steps:',
      '        - - name: call',
      '            templateRef: {name: lives-in-the-cluster, template: greet}',
    ].join('\n');
    const r = linter.lintSources([{ file: 'caller.yaml', text }]);
    expect(r.errors).toBe(0);
    expect(r.findings.map((f) => `${f.severity} ${f.rule}`)).toEqual(['warning template-ref']);
  });

  it('warns, without failing, when two files define one name (versions of a resource)', () => {
    const wt = (image: string) =>
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: WorkflowTemplate',
        'metadata: {name: shared}',
        'spec:',
        '  templates:',
        `    - {name: main, container: {image: "${image}"}}`,
      ].join('\n');
    const apart = linter.lintSources([
      { file: 'v1.yaml', text: wt('alpine:3.19') },
      { file: 'v2.yaml', text: wt('alpine:3.20') },
    ]);
    expect(apart.errors).toBe(0);
    expect(apart.warnings).toBe(1);
    const together = linter.lintSources([
      { file: 'both.yaml', text: `${wt('alpine:3.19')}\n---\n${wt('alpine:3.20')}` },
    ]);
    expect(together.errors).toBe(1);
  });

  it('takes the Sensor whose Workflow is broken, and warns about the Workflow', () => {
    const text = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Sensor',
      'metadata: {name: s}',
      'spec:',
      '  dependencies:',
      '    - {name: d, eventSourceName: hook, eventName: push}',
      '  triggers:',
      '    - template:',
      '        name: run',
      '        k8s:',
      '          operation: create',
      '          source:',
      '            resource:',
      '              apiVersion: argoproj.io/v1alpha1',
      '              kind: Workflow',
      '              metadata: {generateName: run-}',
      '              spec:',
      '                entrypoint: main',
      '                templates:',
      '                  - name: main',
      '                    container: {image: alpine, args: ["{{inputs.parameters.nope}}"]}',
    ].join('\n');
    const r = linter.lintSources([{ file: 's.yaml', text }]);
    expect(r.errors).toBe(0);
    const broken = r.findings.find((f) => f.message.includes('"nope"'));
    expect(broken?.severity).toBe('warning');
    expect(broken?.message).toMatch(/checks this Workflow only when the trigger creates it$/);
  });
});

describe('plinth lint: cron schedules and time zones as Argo parses them', () => {
  it.each([
    '* * * * *',
    '*/5 0-6,18-23 1,15 */2 SUN-THU',
    '0 12 ? JAN-MAR mon',
    '15/10 * * * *',
    '@hourly',
    '@every 1h30m',
    'TZ=America/Chicago 0 6 * * *',
  ])('accepts %s', (schedule) => {
    expect(cronProblem(schedule)).toBeUndefined();
  });

  it.each([
    ['60 * * * *', /minute "60"/],
    ['* * 0 * *', /day of month "0"/],
    ['* * * 13 *', /month "13"/],
    ['* * * * 7', /day of week "7"/],
    ['* * * * MONDAY', /"MONDAY" is not a day of week/],
    ['*/0 * * * *', /a step of 0/],
    ['10-2 * * * *', /runs backwards/],
    ['* * * * * *', /expected 5 fields/],
    ['@often', /unknown descriptor/],
    ['@every soon', /"soon" is not a duration/],
    ['TZ=Nowhere/City * * * * *', /unknown time zone/],
  ])('refuses %s', (schedule, problem) => {
    expect(cronProblem(schedule)).toMatch(problem);
  });

  it('knows IANA zones, UTC and Local, and no offsets', () => {
    expect(isTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Local')).toBe(true);
    expect(isTimeZone('+02:00')).toBe(false);
    expect(isTimeZone('Europe/Atlantis')).toBe(false);
  });
});

/**
 * Argo's own examples, when PLINTH_ARGO_SOURCES names a folder holding checkouts of
 * argo-workflows/ and argo-events/ (they are not part of this repository).
 */
const argo = process.env['PLINTH_ARGO_SOURCES'] ?? '';
const examples = path.join(argo, 'argo-workflows/examples');
const eventExamples = path.join(argo, 'argo-events/examples');

describe.skipIf(argo === '' || !existsSync(examples) || !existsSync(eventExamples))(
  "plinth lint: Argo's own examples",
  () => {
    it('finds no error in the Argo Workflows and Argo Events examples, linted together', async () => {
      const r = await linter.lintPaths([examples, eventExamples]);
      expect(r.findings.filter((f) => f.severity === 'error').map(formatFinding)).toEqual([]);
      expect(r.files.length).toBeGreaterThan(300);
    }, 60_000);
  },
);
