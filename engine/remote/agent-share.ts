/**
 * How one run is split across load boxes. Pure.
 *
 * Every worker of every box is one global slot; a box with `n` workers takes `n` consecutive
 * slots. A worker in slot `s` of `S` runs the rate R/S with pacing offset s/S (pacer.ts), so the
 * slots of all boxes interleave into the one global schedule and the sum over boxes is exactly
 * the plan: a box's share of the rate is its share of the workers. A closed loop has at most one
 * slot per client (an empty worker would only idle), dealt round-robin so every box keeps one.
 */
import { toAgentClock, type ClockOffset } from './clock-offset.js';
import type { RunSpec } from '../run/contract.js';

export interface AgentSlots {
  /** worker threads on this box */
  workers: number;
  /** its first global slot */
  first: number;
  /** slots across every box */
  total: number;
}

/**
 * Slots for boxes offering `workerCounts` workers each, at most `cap` in all (null: no cap).
 * A cap below the number of boxes leaves the last boxes without slots (workers 0).
 */
export function assignSlots(workerCounts: readonly number[], cap: number | null): AgentSlots[] {
  const wanted = workerCounts.map((count) => Math.max(0, Math.floor(count)));
  const sum = wanted.reduce((a, b) => a + b, 0);
  let given = wanted;
  if (cap !== null && cap < sum) {
    given = wanted.map(() => 0);
    // round-robin: at most sum rounds, each hands out at least one slot until the cap is reached
    for (let handed = 0; handed < cap; ) {
      for (let box = 0; box < wanted.length && handed < cap; box++) {
        if (given[box]! < wanted[box]!) {
          given[box]!++;
          handed++;
        }
      }
    }
  }
  const total = given.reduce((a, b) => a + b, 0);
  let first = 0;
  return given.map((workers) => {
    const slots = { workers, first, total };
    first += workers;
    return slots;
  });
}

/** The most slots a run can use: a closed loop needs no more workers than clients. */
export function slotCap(spec: RunSpec): number | null {
  return spec.load.kind === 'clients' ? spec.load.clients : null;
}

/**
 * The spec one box runs: its workers and slots, and the start instant on its own clock. A closed
 * loop's connections are one per client of the box's busiest worker.
 */
export function agentSpec(spec: RunSpec, slots: AgentSlots, controllerStartMs: number, offset: ClockOffset): RunSpec {
  const connections = spec.load.kind === 'clients' ? Math.ceil(spec.load.clients / slots.total) : spec.connections;
  return {
    ...spec,
    workers: slots.workers,
    connections,
    workerSlots: { first: slots.first, total: slots.total },
    startAtEpochMs: toAgentClock(controllerStartMs, offset),
  };
}

/** Share of the whole run a box generates: its slots over all slots. */
export function shareOfSlots(slots: AgentSlots): number {
  return slots.total > 0 ? slots.workers / slots.total : 0;
}
