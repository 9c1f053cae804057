-- DropIndex
DROP INDEX "hosts_pressure_idx";
