import { describe, expect, it } from 'vitest';
import { stageOf, summarise } from '../../../bench/keynote/profile-summary.js';

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });

describe('profile summary', () => {
  it('attributes frames to hot-path stages', () => {
    expect(stageOf(frame('(idle)', ''))).toBe('idle');
    expect(stageOf(frame('atomicsWaitLoop', 'file:///w/node_modules/piscina/dist/worker.js'))).toBe(
      'idle',
    );
    expect(stageOf(frame('$transfer', 'wasm://wasm/1234'))).toBe('WASM (reducer code)');
    expect(
      stageOf(frame('decodeClientMessageBsatn', 'file:///w/dist/runtime/protocol/ws-bsatn.js')),
    ).toMatch(/^decode/);
    expect(
      stageOf(frame('encodeServerMessageBsatn', 'file:///w/dist/runtime/protocol/ws-bsatn.js')),
    ).toMatch(/^encode/);
    expect(stageOf(frame('finishTxn', 'file:///w/node_modules/lmdb/write.js'))).toMatch(/^LMDB/);
    expect(stageOf(frame('flush', 'file:///w/dist/runtime/ws/ws-session.js'))).toMatch(
      /^WebSocket/,
    );
    expect(stageOf(frame('dispatch', 'file:///w/dist/runtime/ws/ws-feed.js'))).toMatch(/^fan-out/);
    expect(stageOf(frame('#runBatch', 'file:///w/dist/runtime/host/executor.js'))).toMatch(
      /^queue/,
    );
    expect(stageOf(frame('postTask', 'file:///w/node_modules/piscina/dist/index.js'))).toMatch(
      /^worker hop/,
    );
    expect(stageOf(frame('get', 'file:///w/dist/runtime/store/kv.js'))).toMatch(/^store/);
    expect(stageOf(frame('x', 'file:///w/somewhere.js'))).toBe('other');
  });

  it('sums self time per stage and function', () => {
    const s = summarise({
      nodes: [
        { id: 1, callFrame: frame('(idle)', '') },
        { id: 2, callFrame: frame('finishTxn', 'file:///w/node_modules/lmdb/write.js') },
      ],
      samples: [1, 2, 2, 1],
      timeDeltas: [1000, 2000, 4000, 3000],
    });
    expect(s.totalMs).toBe(10);
    expect(s.stages).toEqual([
      { stage: 'LMDB (lmdb-js reads, commits)', ms: 6 },
      { stage: 'idle', ms: 4 },
    ]);
    expect(s.functions[1]).toMatchObject({ name: '(idle) :1', ms: 4 });
  });
});
