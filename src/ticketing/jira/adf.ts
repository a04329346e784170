/** Atlassian Document Format, the JSON rich text Jira Cloud's v3 API requires for descriptions and comments. */
export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

export interface AdfNode {
  type: string;
  text?: string;
  content?: AdfNode[];
}

/** Plain text as ADF: blank lines separate paragraphs, single newlines become hard breaks. Text stays literal. */
export function textToAdf(text: string): AdfDocument {
  const paragraphs = text
    .split(/\r?\n\s*\r?\n/)
    .map((block) => block.trim())
    .filter(Boolean)
    .map((block): AdfNode => ({ type: 'paragraph', content: lineNodes(block) }));
  return { type: 'doc', version: 1, content: paragraphs };
}

function lineNodes(block: string): AdfNode[] {
  return block.split(/\r?\n/).flatMap((line, index): AdfNode[] => {
    const text: AdfNode[] = line ? [{ type: 'text', text: line }] : [];
    return index === 0 ? text : [{ type: 'hardBreak' }, ...text];
  });
}

/** The text of an ADF document (paragraphs joined by blank lines); for the simulator and tests. */
export function adfToText(document: unknown): string {
  const paragraphs = (document as AdfDocument | undefined)?.content ?? [];
  return paragraphs
    .map((paragraph) =>
      (paragraph.content ?? []).map((node) => (node.type === 'hardBreak' ? '\n' : (node.text ?? ''))).join(''),
    )
    .join('\n\n');
}
