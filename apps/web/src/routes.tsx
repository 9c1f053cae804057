import { ChannelsPage } from './alerts/channels-page.tsx';
import { DeliveriesPage } from './alerts/deliveries-page.tsx';
import { IncidentsPage } from './alerts/incidents-page.tsx';
import { RulesPage } from './alerts/rules-page.tsx';
import type { Role } from '@portpressure/protocol';
import type { ReactNode } from 'react';
import { AuditPage } from './audit/audit-page.tsx';
import { UsersPage } from './users/users-page.tsx';
import { FleetPage } from './fleet/fleet-page.tsx';
import { HostPage } from './host/host-page.tsx';
import { WorkloadsPage } from './workloads/workloads-page.tsx';
import { TokensPage } from './settings/tokens-page.tsx';
import { StoragePage } from './storage/storage-page.tsx';
import { AddHostsPage } from './install/add-hosts-page.tsx';
import { DestinationsPage } from './destinations/destinations-page.tsx';

/**
 * Every page of the app. To add one (alerts, channels…), add an entry: `path` may hold `:params`,
 * `nav` puts it in the top bar, `title` names the browser tab. Pages need a session; the sign-in
 * page is the shell's own.
 */
export interface AppRoute {
  path: string;
  title: (params: Record<string, string>) => string;
  /** Label in the navigation bar; omitted for pages reached by links (a host). */
  nav?: string;
  /** Which nav entry to highlight on this page (defaults to its own path). */
  section?: string;
  render: (params: Record<string, string>) => ReactNode;
  /** Shown in the navigation only to users with at least this role (the API enforces it anyway). */
  minRole?: Role;
}

export const ROUTES: AppRoute[] = [
  { path: '/', nav: 'Fleet', title: () => 'Fleet', render: () => <FleetPage /> },
  { path: '/workloads', nav: 'Workloads', title: () => 'Workloads', render: () => <WorkloadsPage /> },
  { path: '/hosts/:id', section: '/', title: () => 'Host', render: (p) => <HostPage key={p.id} id={p.id ?? ''} /> },
  { path: '/destinations', nav: 'Destinations', title: () => 'Destinations', render: () => <DestinationsPage /> },
  { path: '/add-hosts', nav: 'Add hosts', minRole: 'editor', title: () => 'Add hosts', render: () => <AddHostsPage /> },
  { path: '/alerts', nav: 'Alerts', title: () => 'Alerts', render: () => <IncidentsPage /> },
  { path: '/alerts/rules', section: '/alerts', title: () => 'Alert rules', render: () => <RulesPage /> },
  { path: '/alerts/channels', section: '/alerts', title: () => 'Alert channels', render: () => <ChannelsPage /> },
  { path: '/alerts/deliveries', section: '/alerts', title: () => 'Delivery log', render: () => <DeliveriesPage /> },
  { path: '/settings/tokens', nav: 'API tokens', title: () => 'API tokens', render: () => <TokensPage /> },
  { path: '/audit', nav: 'Audit', title: () => 'Audit log', render: () => <AuditPage /> },
  { path: '/users', nav: 'Users', minRole: 'admin', title: () => 'Users', render: () => <UsersPage /> },
  { path: '/storage', nav: 'Storage', title: () => 'Storage', render: () => <StoragePage /> },
];
