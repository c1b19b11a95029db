/**
 * Open WebSocket connections per client address and in all. Counted from the handshake (before the
 * upgrade, so a refused client costs one HTTP answer) until its TCP connection closes, whichever way.
 */
export type Admission = 'ok' | 'ip' | 'total';

export class ConnectionLimits {
  private readonly perIp = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly maxPerIp: number,
    private readonly maxTotal: number,
  ) {}

  get open(): number {
    return this.total;
  }

  /** Takes a slot for `ip`, or says which limit is full. */
  admit(ip: string): Admission {
    if (this.total >= this.maxTotal) return 'total';
    const count = this.perIp.get(ip) ?? 0;
    if (count >= this.maxPerIp) return 'ip';
    this.perIp.set(ip, count + 1);
    this.total++;
    return 'ok';
  }

  release(ip: string): void {
    const count = this.perIp.get(ip);
    if (count === undefined) throw new Error(`no connection from ${ip} to release`);
    if (count <= 1) this.perIp.delete(ip);
    else this.perIp.set(ip, count - 1);
    this.total--;
  }
}
