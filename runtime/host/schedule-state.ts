/**
 * @module
 * When each interval schedule of a database last ran (or was armed), kept beside its data in
 * `schedules.json` so that after a restart an interval that fell due while the server was down
 * runs once at start, and one that did not waits out the rest of its interval. The file is a
 * timing hint, not data: it is written atomically (temp file + rename) but not fsynced, and a
 * missing or unreadable file only means that every interval schedule runs once at start.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** Last run (or arming) time per schedule key `<table>:<id>`, in microseconds. */
export type LastRuns = Map<string, bigint>;

export interface ScheduleStateFile {
  load(): LastRuns;
  save(runs: LastRuns): void;
}

/** The state file at `path`; I/O errors go to `onError` and are otherwise ignored. */
export function scheduleStateFile(
  path: string,
  onError: (err: unknown) => void,
): ScheduleStateFile {
  return {
    load() {
      const out: LastRuns = new Map();
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        return out;
      }
      try {
        const json: { runs?: Record<string, string> } = JSON.parse(text) as never;
        for (const [key, micros] of Object.entries(json.runs ?? {}))
          if (/^-?\d{1,20}$/.test(micros)) out.set(key, BigInt(micros));
      } catch (err) {
        onError(err);
      }
      return out;
    },
    save(runs) {
      const json = { version: 1, runs: Object.fromEntries([...runs].map(([k, v]) => [k, `${v}`])) };
      try {
        writeFileSync(`${path}.tmp`, JSON.stringify(json));
        renameSync(`${path}.tmp`, path);
      } catch (err) {
        onError(err);
      }
    },
  };
}

/** A state "file" in memory (tests, and databases opened without a directory). */
export function memoryScheduleState(initial: LastRuns = new Map()): ScheduleStateFile {
  let saved = new Map(initial);
  return {
    load: () => new Map(saved),
    save: runs => {
      saved = new Map(runs);
    },
  };
}
