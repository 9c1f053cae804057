import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module.ts';
import { AuditModule } from './audit/audit.module.ts';
import { UsersModule } from './users/users.module.ts';
import { AlertsModule } from './alerts/alerts.module.ts';
import { API_CONFIG, type ApiConfig } from './config/config.ts';
import { DatabaseModule } from './database/database.module.ts';
import { DiagnosticsModule } from './diagnostics/diagnostics.module.ts';
import { DestinationsModule } from './destinations/destinations.module.ts';
import { HealthModule } from './health/health.module.ts';
import { HistoryModule } from './history/history.module.ts';
import { NamespacesModule } from './namespaces/namespaces.module.ts';
import { HostsModule } from './hosts/hosts.module.ts';
import { HostSequenceModule } from './host-sequence/host-sequence.module.ts';
import { IngestModule } from './ingest/ingest.module.ts';
import { InstallModule } from './install/install.module.ts';
import { LiveModule } from './live/live.module.ts';
import { MetricsCoreModule } from './metrics/metrics-core.module.ts';
import { MetricsModule } from './metrics/metrics.module.ts';
import { RetentionModule } from './retention/retention.module.ts';
import { StorageModule } from './storage/storage.module.ts';

@Global()
@Module({})
class ConfigModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: API_CONFIG, useValue: config }], exports: [API_CONFIG] };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        AuthModule,
        HealthModule,
        LiveModule,
        HostsModule,
        IngestModule,
        HistoryModule,
        NamespacesModule,
        DestinationsModule,
        AlertsModule,
        MetricsCoreModule,
        MetricsModule,
        AuditModule,
        UsersModule,
        RetentionModule,
        StorageModule,
        InstallModule,
        HostSequenceModule,
        DiagnosticsModule,
      ],
    };
  }
}
