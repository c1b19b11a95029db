import type { TickDirection } from './quote-row.svelte.js';

/** How long an uptick/downtick flash fades for. */
export const FLASH_MS = 700;
const FLASH_KEYFRAMES: Keyframe[] = [{ opacity: 0.5 }, { opacity: 0 }];
const FLASH_TIMING: KeyframeAnimationOptions = { duration: FLASH_MS, easing: 'ease-out' };

const reducedMotion = typeof matchMedia === 'function' ? matchMedia('(prefers-reduced-motion: reduce)') : undefined;

/**
 * Flashes a price cell for a tick. The cell's `data-flash` says the direction (CSS colours the overlay by
 * it, and with reduced motion colours the price instead); the overlay's opacity is animated with the Web
 * Animations API, which runs on the compositor and never touches layout. One Animation per overlay is
 * restarted rather than a new one made per tick.
 */
export class PriceFlash {
  private animation: Animation | undefined;

  constructor(
    private readonly cell: HTMLElement,
    private readonly overlay: HTMLElement,
  ) {}

  show(direction: TickDirection): void {
    // Set at every tick, even to the same value: observers see each flash as an attribute mutation.
    this.cell.setAttribute('data-flash', direction);
    if (reducedMotion?.matches === true) {
      this.animation?.cancel();
      return;
    }
    if (this.animation === undefined) {
      this.animation = this.overlay.animate(FLASH_KEYFRAMES, FLASH_TIMING);
    } else {
      this.animation.cancel();
      this.animation.play();
    }
  }

  dispose(): void {
    this.animation?.cancel();
  }
}
