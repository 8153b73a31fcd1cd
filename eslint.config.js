import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Folders whose internals stay private: other folders import only their index.ts. */
const folders = [
  'api',
  'catalog',
  'cli',
  'config',
  'errors',
  'eventbus',
  'eventsources',
  'kubernetes',
  'lint',
  'logging',
  'platform',
  'sensors',
  'server',
  'store',
  'terraform',
  'time',
  'workflows',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.plinth/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(${folders.join('|')})/(?!index\\.js$).+`,
              message: 'Import another folder through its index.ts (../<folder>/index.js).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/**/*.js', 'bench/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
