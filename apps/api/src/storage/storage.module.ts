import { Module } from '@nestjs/common';
import { StorageController } from './storage.controller.ts';
import { StorageRepository } from './storage.repository.ts';
import { StorageService } from './storage.service.ts';

@Module({ controllers: [StorageController], providers: [StorageRepository, StorageService] })
export class StorageModule {}
