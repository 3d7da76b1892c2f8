export { generatedMarkdown, writeGeneratedPages, type Page } from './site';
export { headingSlug } from './slug';
export { sidebar, pageTitle, type SidebarItem } from './navigation';
export { brokenLinks } from './check-links';
export { benchmarkMarkdown, readBenchReport, view3dMarkdown, type BenchReport } from './home-page';
export { packageGraphPage, packageGraphSvg } from './package-graph-page';
export { readWorkspaceGraph, type WorkspaceGraph, type PackageEdge, type DependencyKind } from './workspace-graph';
