// Self-checking string values for reclamation tests: `w<writer>:<sequence>:<checksum>`. A reader
// that gets a torn string, or one decoded from a freed and reused block, fails the check.

const checksumOf = (text: string): number => {
  let sum = 7;
  for (let i = 0; i < text.length; i += 1) sum = (sum * 31 + text.charCodeAt(i)) >>> 0;
  return sum % 1_000_003;
};

export function churnValue(writer: number, sequence: number): string {
  const body = `w${String(writer)}:${String(sequence)}`;
  return `${body}:${String(checksumOf(body))}`;
}

export function isChurnValue(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const cut = value.lastIndexOf(':');
  return (
    cut > 0 &&
    /^w\d+:\d+$/.test(value.slice(0, cut)) &&
    value.slice(cut + 1) === String(checksumOf(value.slice(0, cut)))
  );
}
