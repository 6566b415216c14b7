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

/**
 * CPU seconds the whole machine has spent busy so far (Linux /proc/stat: every state but idle and
 * iowait, over all cores); NaN elsewhere. Beside a process's own CPU it shows what its work costs
 * the broker, Postgres and the kernel.
 */
export function machineBusySeconds(): number {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return Number.NaN;
  }
}
