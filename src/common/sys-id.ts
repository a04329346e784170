/** Two ServiceNow sys_ids compared by their hex digits, lowercase: a `uuid` column reads one back with dashes. */
export function sameSysId(a: string, b: string): boolean {
  const digits = (id: string) => id.toLowerCase().replace(/[^0-9a-f]/g, '');
  return digits(a) === digits(b);
}
