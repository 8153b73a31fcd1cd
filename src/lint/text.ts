/** The lines of a text, without their line ends. */
export function documentLines(text: string): string[] {
  return text.split(/\r?\n/);
}
