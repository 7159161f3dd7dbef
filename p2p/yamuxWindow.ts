/**
 * Yamux window updates as Go's yamux (and hence go-libp2p) sends them: only once the peer has used half
 * of the receive window. @chainsafe/libp2p-yamux sends one after every data frame it reads, so every
 * gossiped vote cost the receiver an extra frame (encrypted, one more socket write) back to the sender:
 * about a tenth of a validator's CPU at a zero commit timeout. Flow control is unchanged: the peer still
 * learns of the space before it runs out, and frames carrying flags (SYN/ACK/FIN) still go at once.
 */
import { StreamState, YamuxStream } from "@chainsafe/libp2p-yamux/stream";

interface WindowFields {
  state: StreamState;
  recvWindow: number;
  recvWindowCapacity: number;
}

let installed = false;

/** Installs the half-window rule once per process (idempotent); false if the library's shape changed. */
export function installYamuxWindowThreshold(): boolean {
  if (installed) return true;
  const proto = YamuxStream.prototype as unknown as { sendWindowUpdate?: () => void };
  const original = proto.sendWindowUpdate;
  if (typeof original !== "function") return false;
  proto.sendWindowUpdate = function (this: WindowFields) {
    if (
      this.state === StreamState.Established &&
      typeof this.recvWindow === "number" &&
      this.recvWindowCapacity * 2 >= this.recvWindow
    ) {
      return;
    }
    original.call(this);
  };
  installed = true;
  return true;
}
