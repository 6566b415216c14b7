import { readFileSync } from 'node:fs';

/**
 * User + system CPU time of a process so far (Linux /proc), in seconds; NaN elsewhere. CPU time
 * per request is what the benchmarks compare on machines shared with other work: throughput and
 * latency move with the neighbours' load, the CPU a request costs hardly does.
 */
export function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
