import { Component, type Project, YamlFile } from 'projen';

/** Options for {@link RepositorySettings}. */
export interface RepositorySettingsOptions {
  /** The protected branch. @default "main" */
  readonly branch?: string;
  /** Status checks that must pass before merging. @default ["build", "test"] */
  readonly requiredChecks?: string[];
  /** Approvals a pull request needs. @default 1 */
  readonly requiredApprovals?: number;
}

/**
 * `.github/settings.yml` in the format of the Probot settings app: branch protection for the
 * default branch, so the repository's rules are reviewed like code.
 */
export class RepositorySettings extends Component {
  static of(project: Project): RepositorySettings | undefined {
    return project.components.find((c): c is RepositorySettings => c instanceof RepositorySettings);
  }

  constructor(project: Project, options: RepositorySettingsOptions = {}) {
    super(project, 'RepositorySettings');
    const approvals = options.requiredApprovals ?? 1;
    if (!Number.isInteger(approvals) || approvals < 1 || approvals > 6) {
      throw new Error(`required approvals must be an integer from 1 to 6, got ${approvals}`);
    }
    new YamlFile(project, '.github/settings.yml', {
      obj: {
        repository: {
          default_branch: options.branch ?? 'main',
          allow_merge_commit: false,
          allow_squash_merge: true,
          allow_rebase_merge: false,
          delete_branch_on_merge: true,
        },
        branches: [
          {
            name: options.branch ?? 'main',
            protection: {
              required_pull_request_reviews: {
                required_approving_review_count: approvals,
                dismiss_stale_reviews: true,
                require_code_owner_reviews: false,
              },
              required_status_checks: { strict: true, contexts: options.requiredChecks ?? ['build', 'test'] },
              // Administrators follow the same rules: nobody bypasses the checks.
              enforce_admins: true,
              required_linear_history: true,
              allow_force_pushes: false,
              allow_deletions: false,
              restrictions: null,
            },
          },
        ],
      },
    });
  }
}
