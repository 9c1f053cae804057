import { workloadsSchema, type Workloads } from '@portpressure/protocol';
import { request } from '../api.ts';

/** Pods, containers and named namespaces across the fleet, highest pressure first. */
export const fetchWorkloads = (limit: number, signal?: AbortSignal): Promise<Workloads> =>
  request(`/api/workloads?limit=${limit}`, (b) => workloadsSchema.parse(b), { signal });
