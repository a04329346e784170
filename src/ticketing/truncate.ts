/** At most `max` UTF-16 units (what ticket fields count) without splitting a surrogate pair. */
export function truncateCodePoints(text: string, max: number): string {
  if (text.length <= max) return text;
  let result = '';
  for (const codePoint of text) {
    if (result.length + codePoint.length > max) break;
    result += codePoint;
  }
  return result;
}
