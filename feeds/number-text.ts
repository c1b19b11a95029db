/**
 * Numbers a person writes in a flag or an environment variable, read one way for every command. Only plain
 * decimal text is a number: digits, and where a fraction is allowed a point and more digits. JavaScript's
 * Number() would also take hexadecimal (0x10), binary (0b1), octal (0o7), exponents (1e3), Infinity, a
 * sign, spaces around it, and an empty string as 0; each of those is refused here, as is a number outside
 * the rule's range, with the one message that names the setting, where it is set and what is allowed.
 */

/** A whole number: digits only. */
const WHOLE_TEXT = /^\d+$/;
/** A decimal number: digits, optionally a point and more digits. */
const DECIMAL_TEXT = /^\d+(\.\d+)?$/;

export interface NumberRule {
  /** What the number is, as a message names it: `port`, `tick rate`. */
  readonly name: string;
  /** Where it is set, flag then variable: `--port, PORT`; left out when the name is the flag (`--ticks`). */
  readonly where?: string;
  readonly min: number;
  readonly max: number;
  /** Whole numbers only; otherwise a decimal fraction is allowed too. */
  readonly whole: boolean;
  /** Written after the range: a unit (`ms`, `MiB`, `ticks/s`) or a note. */
  readonly unit?: string;
}

/** What a rule allows, for messages and help: `a whole number from 5 to 5000 ms`. */
export function numberRange(rule: NumberRule): string {
  return `${rule.whole ? 'a whole number' : 'a number'} from ${rule.min} to ${rule.max}${rule.unit === undefined ? '' : ` ${rule.unit}`}`;
}

/** Whether `value` is within the rule (whole where it must be). */
export function numberFits(value: number, rule: NumberRule): boolean {
  return (!rule.whole || Number.isInteger(value)) && value >= rule.min && value <= rule.max;
}

/** The message for a value the rule refuses; `got` is shown as it is (quote text). */
export function numberMessage(rule: NumberRule, got: string): string {
  return `${rule.name} must be ${numberRange(rule)}${rule.where === undefined ? '' : ` (${rule.where})`}, got ${got}`;
}

/** The number `text` writes, when it is plain decimal text (digits only for a whole number) within the rule. */
export function numberIn(text: string, rule: NumberRule): number | undefined {
  if (!(rule.whole ? WHOLE_TEXT : DECIMAL_TEXT).test(text)) return undefined;
  const value = Number(text);
  return numberFits(value, rule) ? value : undefined;
}
