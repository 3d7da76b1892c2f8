import { Component, type Project, TextFile } from 'projen';

/**
 * `eslint.config.mjs`: one flat config for the whole repository, typescript-eslint's recommended
 * rules and no `any`; formatting is prettier's alone (eslint-config-prettier turns off clashing rules).
 */
export class CodeStyle extends Component {
  static of(project: Project): CodeStyle | undefined {
    return project.components.find((c): c is CodeStyle => c instanceof CodeStyle);
  }

  constructor(project: Project) {
    super(project, 'CodeStyle');
    const file = new TextFile(project, 'eslint.config.mjs', { marker: true });
    for (const line of [
      `// ${file.marker}`,
      "import tseslint from 'typescript-eslint';",
      "import prettier from 'eslint-config-prettier';",
      '',
      'export default tseslint.config(',
      "  { ignores: ['**/lib/**', '**/dist/**', '**/node_modules/**', '**/.jest/**', '**/coverage/**', '**/*.mjs', '**/*.js'] },",
      '  ...tseslint.configs.recommended,',
      '  {',
      '    rules: {',
      "      '@typescript-eslint/no-explicit-any': 'error',",
      "      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],",
      "      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],",
      "      'no-console': ['error', { allow: ['warn', 'error'] }],",
      '    },',
      '  },',
      // A package is used through its index and the entry points its `exports` map names, never
      // by reaching into its files: the insides can then move without breaking a consumer.
      // (projenrc/ is exempt: it configures the packages before any of them is built.)
      '  {',
      "    files: ['packages/**/*.ts', 'apps/**/*.ts', 'tools/**/*.ts', 'docs/**/*.ts'],",
      "    rules: { 'no-restricted-imports': ['error', { patterns: [",
      "      { group: ['@aerial/*/lib/*', '@aerial/*/src/*', '@aerial/*/lib', '@aerial/*/src'], message: 'import the package (or an entry point its exports map names), not its files' },",
      "      { regex: '^(\\\\.\\\\./)+(packages|apps|tools)/[^/]+/(src|lib)/', message: 'import another package by its name, not by a relative path' },",
      '    ] }] },',
      '  },',
      // The environment is read once, at start, by the loaders of @aerial/runtime (src/config/), and
      // the configuration passed on: a variable read anywhere else escapes its schema and the docs.
      // (Tests set up processes as they need.)
      '  {',
      "    files: ['packages/**/*.ts', 'apps/**/*.ts'],",
      "    ignores: ['**/config/**', '**/*.test.ts', '**/test-support/**', 'packages/tests/**'],",
      "    rules: { 'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read variables through the loaders in @aerial/runtime (loadProcessConfig, loadStageProcessEnv, loadLambdaEnv) and pass the config on' }] },",
      '  },',
      '  {',
      "    files: ['**/*.test.ts', 'tools/**/*.ts'],",
      "    rules: { 'no-console': 'off' },",
      '  },',
      '  prettier,',
      ');',
    ]) {
      file.addLine(line);
    }
  }
}
