export { buildSite, type Page } from './site';
export { packageGraphPage, packageGraphSvg } from './package-graph-page';
export { readWorkspaceGraph, type WorkspaceGraph, type PackageEdge, type DependencyKind } from './workspace-graph';
