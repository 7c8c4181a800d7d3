export interface ParsedForm {
  action: string;
  method: string;
  fields: [string, string][];
  /** Submit buttons that carry a name, as name → value. */
  buttons: Map<string, string>;
}

function attributes(tag: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const match of tag.matchAll(/([\w:.-]+)(?:\s*=\s*"([^"]*)")?/g)) {
    result.set(match[1].toLowerCase(), decodeEntities(match[2] ?? ''));
  }
  return result;
}

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Finds a <form> by its id (or the first form) and reads its fields the way a browser would submit them. */
export function parseForm(html: string, formId?: string): ParsedForm | undefined {
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const formAttributes = attributes(match[1]);
    if (formId && formAttributes.get('id') !== formId) continue;
    const fields: [string, string][] = [];
    for (const input of match[2].matchAll(/<input\b([^>]*)>/gi)) {
      const attrs = attributes(input[1]);
      const name = attrs.get('name');
      if (name) fields.push([name, attrs.get('value') ?? '']);
    }
    const buttons = new Map<string, string>();
    for (const button of match[2].matchAll(/<button\b([^>]*)>/gi)) {
      const attrs = attributes(button[1]);
      const name = attrs.get('name');
      if (name && (attrs.get('type') ?? 'submit') === 'submit') buttons.set(name, attrs.get('value') ?? '');
    }
    return {
      action: formAttributes.get('action') ?? '',
      method: (formAttributes.get('method') ?? 'get').toUpperCase(),
      fields,
      buttons,
    };
  }
  return undefined;
}
