import { Component, JsonFile, type Project } from 'projen';

/**
 * `tsconfig.base.json`: the strict compiler settings every package extends. CommonJS output with
 * Node's module resolution: Node 20.19+ can `require()` ESM-only dependencies.
 */
export class TypeScriptBase extends Component {
  static of(project: Project): TypeScriptBase | undefined {
    return project.components.find((c): c is TypeScriptBase => c instanceof TypeScriptBase);
  }

  constructor(project: Project) {
    super(project, 'TypeScriptBase');
    new JsonFile(project, 'tsconfig.base.json', {
      obj: {
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noUncheckedIndexedAccess: true,
          noImplicitOverride: true,
          noImplicitReturns: true,
          noFallthroughCasesInSwitch: true,
          useUnknownInCatchVariables: true,
          isolatedModules: true,
          esModuleInterop: true,
          resolveJsonModule: true,
          forceConsistentCasingInFileNames: true,
          declaration: true,
          declarationMap: true,
          sourceMap: true,
          skipLibCheck: true,
          types: ['node'],
        },
      },
    });
  }
}
