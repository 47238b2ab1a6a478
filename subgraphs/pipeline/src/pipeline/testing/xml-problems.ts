/** Problems that would stop an XML parser: unbalanced tags, raw `<`/`>`/`&` in text, several roots. */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const attribute = String.raw`\s+[\w:.-]+="(?:[^"<&]|&(?:amp|lt|gt|quot|apos);)*"`;
  const tag = new RegExp(String.raw`<(\/?)([A-Za-z][\w:.-]*)((?:${attribute})*)\s*(\/?)>`, "g");
  const checkText = (text: string) => {
    if (/[<>]/.test(text)) problems.push(`raw < or > in text ${JSON.stringify(text)}`);
    if (/&(?!(?:amp|lt|gt|quot|apos|#\d+);)/.test(text)) problems.push(`raw & in text ${JSON.stringify(text)}`);
  };
  const stack: string[] = [];
  let roots = 0;
  let last = 0;
  for (const match of xml.matchAll(tag)) {
    checkText(xml.slice(last, match.index));
    last = match.index + match[0].length;
    const [, closing, name, , selfClosing] = match;
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open}>`);
    } else {
      if (stack.length === 0) roots++;
      if (!selfClosing) stack.push(name!);
    }
  }
  checkText(xml.slice(last));
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(", ")}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
