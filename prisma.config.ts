import { defineConfig } from 'prisma/config';

// The CLI reads the connection from here (prisma migrate deploy, studio). The running service
// applies migrations itself and connects through @prisma/adapter-pg; see apps/api/src/database.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/portpressure' },
});
