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
