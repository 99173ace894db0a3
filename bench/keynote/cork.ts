/**
 * @module
 * Write coalescing for `ws` sockets: the first send of a tick corks the TCP socket and the next
 * tick uncorks it, so a burst of small frames (answers of one commit, calls refilling a pipeline)
 * leaves in one write instead of one syscall each. uWebSockets.js (wasmbase's server) does the same
 * on its own; this gives the `ws`-based sides the same treatment. `ws` keeps its socket in the
 * undocumented `_socket` field; without it this does nothing.
 */
import { Socket } from 'node:net';
import type WebSocket from 'ws';

const corked = new WeakSet<Socket>();

export function corkUntilNextTick(ws: WebSocket): void {
  const socket: unknown = Reflect.get(ws, '_socket');
  if (!(socket instanceof Socket) || corked.has(socket)) return;
  corked.add(socket);
  socket.cork();
  process.nextTick(() => {
    corked.delete(socket);
    socket.uncork();
  });
}
