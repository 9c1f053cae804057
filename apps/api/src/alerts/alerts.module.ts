import { DestinationsModule } from '../destinations/destinations.module.ts';
import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module.ts';
import { ChannelsController } from './channels/channels.controller.ts';
import { ChannelsRepository } from './channels/channels.repository.ts';
import { ChannelsService } from './channels/channels.service.ts';
import { DeliveriesController } from './delivery/deliveries.controller.ts';
import { DeliveriesService } from './delivery/deliveries.service.ts';
import { DeliveryWorker } from './delivery/delivery-worker.service.ts';
import { OutboxRepository } from './delivery/outbox.repository.ts';
import { AlertEngine } from './evaluation/alert-engine.service.ts';
import { AlertTicker } from './evaluation/alert-ticker.service.ts';
import { EvaluationRepository } from './evaluation/evaluation.repository.ts';
import { IncidentsController } from './incidents/incidents.controller.ts';
import { IncidentsRepository } from './incidents/incidents.repository.ts';
import { IncidentsService } from './incidents/incidents.service.ts';
import { ActiveRulesService } from './rules/active-rules.service.ts';
import { RuleKindsController } from './rules/rule-kinds.controller.ts';
import { RulesController } from './rules/rules.controller.ts';
import { RulesRepository } from './rules/rules.repository.ts';
import { RulesService } from './rules/rules.service.ts';

/**
 * Alerting: rules evaluated on ingest (SnapshotEvents) and by a timer, incidents, notification
 * channels, and the outbox with its delivery worker.
 */
@Module({
  imports: [IngestModule, DestinationsModule],
  controllers: [RulesController, RuleKindsController, ChannelsController, IncidentsController, DeliveriesController],
  providers: [
    RulesRepository,
    ActiveRulesService,
    RulesService,
    ChannelsRepository,
    ChannelsService,
    IncidentsRepository,
    IncidentsService,
    OutboxRepository,
    DeliveriesService,
    DeliveryWorker,
    EvaluationRepository,
    AlertEngine,
    AlertTicker,
  ],
  exports: [AlertEngine, AlertTicker, DeliveryWorker],
})
export class AlertsModule {}
