/** Number and time formats shared by the commands' output (meant to be pasted in a README). */

export function formatCount(value: number): string {
  return value.toLocaleString('en');
}

export function formatSeconds(seconds: number): string {
  return `${seconds.toFixed(2)} s`;
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? formatSeconds(ms / 1000) : `${ms.toFixed(0)} ms`;
}

/** `label:` padded so that the values after it line up. */
export function field(label: string, value: string): string {
  return `${`${label}:`.padEnd(labelWidth)}${value}`;
}

const labelWidth = 16;
