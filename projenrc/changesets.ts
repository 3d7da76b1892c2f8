import { Component, JsonFile, type Project, TextFile } from 'projen';

/** Options for {@link Changesets}. */
export interface ChangesetsOptions {
  /** Branch the release workflow versions from. @default "main" */
  readonly baseBranch?: string;
}

/**
 * `.changeset/config.json`: per-package versions and `@aerial/<name>@<version>` tags for every
 * package, private deployables included (changesets skips private packages unless told).
 */
export class Changesets extends Component {
  static of(project: Project): Changesets | undefined {
    return project.components.find((c): c is Changesets => c instanceof Changesets);
  }

  constructor(project: Project, options: ChangesetsOptions = {}) {
    super(project, 'Changesets');
    new JsonFile(project, '.changeset/config.json', {
      marker: false,
      obj: {
        $schema: 'https://unpkg.com/@changesets/config@3.1.1/schema.json',
        changelog: '@changesets/cli/changelog',
        commit: false,
        fixed: [],
        linked: [],
        access: 'restricted',
        baseBranch: options.baseBranch ?? 'main',
        // A dependent is patched whenever a workspace dependency is bumped, so its tag always
        // names a build that contains the new dependency.
        updateInternalDependencies: 'patch',
        privatePackages: { version: true, tag: true },
        ignore: [],
      },
    });
    new TextFile(project, '.changeset/README.md', {
      lines: [
        '# Changesets',
        '',
        'Every user-facing change adds a changeset: run `pnpm changeset`, pick the packages it touches',
        'and the bump (patch, minor, major), and describe the change for the changelog.',
        'The release workflow turns pending changesets into versions, changelogs and',
        '`@aerial/<package>@<version>` tags.',
      ],
    });
  }
}
