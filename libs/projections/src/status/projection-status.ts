import { PartitionLag } from '../lag/projection-lag.service';

export interface ProjectionStatusReport {
  projection: string;
  partitions: PartitionLag[];
  totalLag: number;
  parkedWaiting: number;
}

/** The `projections status` table: one line per partition, then the totals. */
export function renderStatus(report: ProjectionStatusReport): string {
  const header = ['topic', 'partition', 'checkpoint', 'high watermark', 'lag'];
  const rows = report.partitions.map((p) => [p.topic, String(p.partition), String(p.checkpoint), String(p.highWatermark), String(p.lag)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    `projection ${report.projection}`,
    line(header),
    ...rows.map(line),
    `total lag ${report.totalLag} events; parked events waiting: ${report.parkedWaiting}`,
  ].join('\n');
}
