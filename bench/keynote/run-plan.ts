/**
 * @module
 * Which runs one α gets: every target in the order asked, and for a target that speaks
 * SpacetimeDB's protocols one run per asked protocol it can speak, in the order asked. A target
 * that is unavailable, or that speaks none of the asked protocols, gets one skipped run saying
 * why, so every target asked for appears in the report.
 */
import type { TargetName, WasmbaseProtocol } from './target.js';

export type PlannedRun =
  | { readonly target: TargetName; readonly protocol: WasmbaseProtocol | undefined }
  | { readonly target: TargetName; readonly skip: string };

export interface PlanInput {
  readonly targets: readonly TargetName[];
  readonly protocols: readonly WasmbaseProtocol[];
  /** What each available target speaks (empty: its own fixed protocol). */
  readonly speaks: ReadonlyMap<TargetName, readonly WasmbaseProtocol[]>;
  /** Why a target is unavailable. */
  readonly unavailable: ReadonlyMap<TargetName, string>;
}

export function planRuns(input: PlanInput): PlannedRun[] {
  return input.targets.flatMap((target): PlannedRun[] => {
    const speaks = input.speaks.get(target);
    if (speaks === undefined)
      return [{ target, skip: input.unavailable.get(target) ?? 'not available' }];
    if (speaks.length === 0) return [{ target, protocol: undefined }];
    const protocols = input.protocols.filter(p => speaks.includes(p));
    if (protocols.length === 0)
      return [
        {
          target,
          skip:
            `${target} speaks ${speaks.join(', ')}; ` +
            `--protocol asked for ${input.protocols.join(', ')}`,
        },
      ];
    return protocols.map(protocol => ({ target, protocol }));
  });
}

/** How a run is named in progress lines and tables: `wasmbase v2`, `node-pg`. */
export function seriesName(target: TargetName, protocol: WasmbaseProtocol | undefined): string {
  return protocol === undefined ? target : `${target} ${protocol}`;
}
