export * from './app';
export * from './settings';
export * from './security';
export * from './charts/argocd-chart';
export * from './charts/namespaces-chart';
