import { Module } from '@nestjs/common';
import { InstallController } from './install.controller.ts';
import { InstallService } from './install.service.ts';

@Module({ controllers: [InstallController], providers: [InstallService] })
export class InstallModule {}
