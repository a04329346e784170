/** A sys_id's hex digits, lower case: a uuid column reads one back as 8-4-4-4-12, some tools upper-case it. */
const hexOf = (id: string): string => id.toLowerCase().replace(/[^0-9a-f]/g, '');

/** Whether two spellings name the same ServiceNow record (hex digits only, lower case); an empty id names none. */
export function sameSysId(a: string, b: string): boolean {
  const digits = hexOf(a);
  return digits !== '' && digits === hexOf(b);
}
