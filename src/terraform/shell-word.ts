/** A word for POSIX sh, whatever it holds (a path with spaces or quotes in a provisioner's command). */
export function shellWord(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
