import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '../../database/prisma.service.ts';
import { Prisma } from '../../generated/prisma/client.ts';

/** A channel row. `settings` holds secrets: the service redacts it before it leaves the API. */
export interface ChannelRow {
  id: string;
  name: string;
  type: string;
  settings: unknown;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ChannelWrite {
  name: string;
  type: string;
  settings: unknown;
  enabled: boolean;
}

const CHANNEL_COLUMNS = Prisma.raw(`id, name, type, settings, enabled, created_at AS "createdAt", updated_at AS "updatedAt"`);

@Injectable()
export class ChannelsRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  async list(): Promise<ChannelRow[]> {
    return this.prisma.$queryRaw<ChannelRow[]>`SELECT ${CHANNEL_COLUMNS} FROM alert_channels ORDER BY created_at, name`;
  }

  async findById(id: string): Promise<ChannelRow | null> {
    const rows = await this.prisma.$queryRaw<ChannelRow[]>`SELECT ${CHANNEL_COLUMNS} FROM alert_channels WHERE id = ${id}::uuid`;
    return rows[0] ?? null;
  }

  async create(c: ChannelWrite): Promise<ChannelRow> {
    const rows = await this.prisma.$queryRaw<ChannelRow[]>`
      INSERT INTO alert_channels (name, type, settings, enabled)
      VALUES (${c.name}, ${c.type}, ${JSON.stringify(c.settings)}::jsonb, ${c.enabled})
      RETURNING ${CHANNEL_COLUMNS}`;
    const row = rows[0];
    if (row === undefined) throw new Error('channel insert returned no row');
    return row;
  }

  async update(id: string, c: ChannelWrite): Promise<ChannelRow | null> {
    const rows = await this.prisma.$queryRaw<ChannelRow[]>`
      UPDATE alert_channels SET name = ${c.name}, type = ${c.type}, settings = ${JSON.stringify(c.settings)}::jsonb,
        enabled = ${c.enabled}, updated_at = now()
      WHERE id = ${id}::uuid
      RETURNING ${CHANNEL_COLUMNS}`;
    return rows[0] ?? null;
  }

  /** Deletes the channel and, by cascade, its delivery log. */
  async delete(id: string): Promise<boolean> {
    return (await this.prisma.$executeRaw`DELETE FROM alert_channels WHERE id = ${id}::uuid`) > 0;
  }

  /** Which of these ids name existing channels. */
  async existingIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`SELECT id FROM alert_channels WHERE id = ANY(${ids}::uuid[])`;
    return new Set(rows.map((r) => r.id));
  }
}
