/** Rows as aligned text: each column padded to its widest cell, the last one (a message, a URL) left as it is. */
export const columns = (header: string[], rows: string[][]): string[] => {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)];
};
