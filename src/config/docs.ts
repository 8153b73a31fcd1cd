import { settings, type SettingSpec } from './schema.js';

/** Renders docs/configuration.md from the settings list. */
export function renderConfigurationDoc(): string {
  const rows = (settings as readonly SettingSpec[]).map((s) => {
    const flag = s.flag ? `\`${s.flag}\`` : '(environment only)';
    const def = s.default === undefined ? '' : s.default === '' ? '(empty)' : `\`${s.default}\``;
    const desc = s.secret ? `${s.description} Secret: never printed or logged.` : s.description;
    return `| \`${s.env}\` | ${flag} | ${def} | ${desc} |`;
  });
  return [
    '# Configuration',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs:config`; a test fails when it drifts. -->',
    '',
    'Every setting of `plinth up` has an environment variable and, unless it is a secret, a flag.',
    'A flag wins over the variable, and the variable over the default. Client commands',
    '(`plinth env ...`, `plinth runs ...`) read `PLINTH_SERVER` (default `http://127.0.0.1:8000`) and',
    '`PLINTH_TOKEN`, or `--server` and `--token`.',
    '',
    '| variable | flag | default | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
