/** How bad a finding is: errors fail `plinth lint` (exit 1), warnings alone do not. */
export const Severity = { error: 'error', warning: 'warning' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** The checks, by stable id (the `rule` of a finding in `-o json`). */
export const LintRule = {
  /** Text that is not YAML, e.g. a `//` comment. */
  yamlSyntax: 'yaml-syntax',
  /** A document without apiVersion, kind or metadata.name. */
  manifest: 'manifest',
  /** A kind `plinth lint` does not know. */
  unknownKind: 'unknown-kind',
  /** A field the Argo type does not have. */
  unknownField: 'unknown-field',
  /** A scalar outside the values its field takes (retryPolicy, operation, ...). */
  enumValue: 'enum-value',
  /** An expression that does not parse: when, {{=...}}, depends, conditions, filters. */
  expression: 'expression',
  /** A step's or task's output, parameter or artifact that does not exist. */
  outputRef: 'output-ref',
  /** A field only Plinth reads, e.g. an artifact's `local`. */
  plinthExtension: 'plinth-extension',
  /** A Plinth catalog file: a RequestKind or the tier policy. */
  catalog: 'catalog',
  /** A mapping where a list belongs, or the other way round. */
  fieldType: 'field-type',
  /** A field Argo requires, or a name that must be unique. */
  requiredField: 'required-field',
  /** template, templateRef, workflowTemplateRef, entrypoint, onExit, dag dependencies. */
  templateRef: 'template-ref',
  /** eventBusName of a Sensor or EventSource. */
  eventBusRef: 'event-bus-ref',
  /** A dependency's eventSourceName and eventName. */
  eventSourceRef: 'event-source-ref',
  /** A trigger parameter's dependencyName. */
  dependencyRef: 'dependency-ref',
  /** `{{inputs.parameters.x}}`, `{{workflow.parameters.x}}`, `{{steps.x}}`, required inputs. */
  parameters: 'parameters',
  /** A trigger parameter `dest` that is not in the trigger's resource. */
  triggerDest: 'trigger-dest',
  /** A parameter interpolated into shell text. */
  scriptInjection: 'script-injection',
  /** Pod-only fields that Plinth records and ignores on one machine. */
  podOnly: 'pod-only-field',
  /** A step that assumes a container image (sudo, a fixed home directory). */
  hostAssumption: 'host-assumption',
} as const;
export type LintRule = (typeof LintRule)[keyof typeof LintRule];

/** One problem, located at a 1-based line and column of a file. */
export interface Finding {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  fix: string;
  rule: LintRule;
}

/** The outcome of linting a set of files. */
export interface LintReport {
  /** The files read, in the order given (directories expanded, sorted). */
  files: string[];
  /** Every finding, ordered by file, line and column. */
  findings: Finding[];
  errors: number;
  warnings: number;
}

/** A file's name and text, for linting what is not on disk. */
export interface LintSource {
  file: string;
  text: string;
}
