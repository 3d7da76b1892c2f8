/** The pnpm the README, `.ci/run` and workflows install; `packageManager` must name an exact version. */
export const PNPM_VERSION = '10.34.9';
