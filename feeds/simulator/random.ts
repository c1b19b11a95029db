/**
 * A small seeded PRNG for the simulator's hot path: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator,
 * from PractRand), 128 bits of state in four int32 fields, no allocation per draw. Passes PractRand to TBs and is
 * plenty for a market simulation; it is not cryptographic.
 */

const TWO_POW_32 = 4294967296;
/** Outputs thrown away after seeding so that nearby seeds do not start from correlated states. */
const WARM_UP_DRAWS = 16;

export class Sfc32 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Marsaglia's polar method makes normals in pairs; the second waits here. */
  private spareNormal = 0;
  private hasSpareNormal = false;

  /** `seed` is any safe integer; its low and high 32 bits both count. */
  constructor(seed: number) {
    // splitmix32 spreads the seed over the four state words (an all-zero state would be degenerate).
    let s = (seed >>> 0) ^ Math.imul(Math.floor(seed / TWO_POW_32) >>> 0, 0x85ebca6b);
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) | 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    for (let i = 0; i < WARM_UP_DRAWS; i++) this.uint32();
  }

  /** Uniform integer in [0, 2^32). */
  uint32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  uniform(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** Standard normal N(0, 1). */
  normal(): number {
    if (this.hasSpareNormal) {
      this.hasSpareNormal = false;
      return this.spareNormal;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * m;
    this.hasSpareNormal = true;
    return u * m;
  }

  /** Exponential with mean 1. */
  exponential(): number {
    // 1 - u lies in (0, 1], so the log is finite.
    return -Math.log(1 - this.uniform());
  }
}
