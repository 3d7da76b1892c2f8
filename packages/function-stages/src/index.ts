export * from './guard-budget/cost-model';
export * from './guard-budget/guard-budget-stage';
export * from './notify/notify-stage';
export * from './notify/deliveries';
export * from './notify/resolve-failure';
