/** A sys_id as compared: lower case, without the dashes (or braces) a `uuid` column reads one back with. */
const plainOf = (id: string): string => id.toLowerCase().replace(/[-{}]/g, '');

/** Whether two spellings name the same ServiceNow record; an empty id names none. */
export function sameSysId(a: string, b: string): boolean {
  const plain = plainOf(a);
  return plain !== '' && plain === plainOf(b);
}
