/**
 * The rule kinds the server evaluates, one line each, in the order the rule form lists them:
 * adding a kind is its file plus its line here. Everything else (the accepted names, settings
 * validation, the form's fields, the condition text, evaluation on ingest and on the timer, the
 * notification's summary) derives from this list in index.ts.
 */
export const registeredRuleKinds = [
  (await import('./pressure.ts')).pressureRuleKind,
  (await import('./forecast.ts')).forecastRuleKind,
  (await import('./offline.ts')).offlineRuleKind,
  (await import('./conntrack.ts')).conntrackRuleKind,
  (await import('./snat.ts')).snatRuleKind,
  (await import('./egress.ts')).egressRuleKind,
] as const;
