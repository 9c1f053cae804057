export * from './report.ts';
export * from './messages.ts';
export * from './fast-snapshot.ts';
export * from './api.ts';
export * from './auth.ts';
export * from './history.ts';
export * from './fleet.ts';
export * from './alerts.ts';
