/**
 * docs/config.md from schemas/obdio.schema.json: every key with its description, type, default,
 * examples and what a change does to a running gateway (x-restart). The schema is the one
 * source; scripts/generate-config-docs.ts writes the file and a unit test keeps it fresh.
 */

interface Node {
  description?: string;
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  examples?: unknown[];
  properties?: Record<string, Node | boolean>;
  additionalProperties?: Node | boolean;
  items?: Node;
  anyOf?: Node[];
  oneOf?: Node[];
  $ref?: string;
  'x-restart'?: string;
  'x-expected'?: string;
}

interface Schema extends Node {
  definitions?: Record<string, Node>;
}

/** The file the generator writes and the test reads, relative to the repository. */
export const CONFIG_DOC = 'docs/config.md';

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  integer: 'whole number',
  number: 'number',
  boolean: 'true or false',
  array: 'list',
  object: 'mapping',
  null: 'empty',
};

/** What a change does while the gateway runs, by the part x-restart names. */
const RESTARTS: Record<string, string> = {
  connection: 'restarts the connection (the adapter is closed and opened again)',
  server: 'restarts the server (it listens again; clients reconnect)',
  mqtt: 'restarts the MQTT client (it connects to the broker again)',
};

export function renderConfigReference(schema: Schema): string {
  const out: string[] = [
    '# obdio.yaml reference',
    '',
    '<!-- Generated from schemas/obdio.schema.json by `npm run docs` (scripts/generate-config-docs.ts): edit the schema, not this file. -->',
    '',
    schema.description ?? '',
    '',
    'A hot reload applies every change to a running gateway; the keys below say which changes restart a part',
    '(the others apply live). `<name>` stands for a name you choose, `[]` for each item of a list.',
    '',
    '## Sections',
    '',
    ...Object.keys(schema.properties ?? {}).map((key) => `- [${key}](#${key})`),
  ];
  const resolve = (node: Node): { node: Node; ref: string | null } => {
    if (!node.$ref) return { node, ref: null };
    const ref = node.$ref.replace(/^#\/definitions\//, '');
    const target = schema.definitions?.[ref];
    if (!target) throw new Error(`the schema refers to a missing definition: ${node.$ref}`);
    // The key's own annotations (its description, default) win over the shared definition's.
    return { node: { ...target, ...node, $ref: undefined }, ref };
  };

  /** Where each shared definition was first written out: a nested use (actions in then/else) points there. */
  const documentedAt = new Map<string, string>();
  const visit = (raw: Node, path: string, restart: string | null, within: ReadonlySet<string>): void => {
    const { node, ref } = resolve(raw);
    const part = node['x-restart'] ?? restart;
    if (ref && within.has(ref)) {
      out.push('', `### \`${path}\``, '', `The same as \`${documentedAt.get(ref)}\` above.`);
      return;
    }
    if (ref && !documentedAt.has(ref)) documentedAt.set(ref, path);
    const inside = ref ? new Set([...within, ref]) : within;
    const children = childrenOf(node, path, resolve);
    const top = !path.includes('.') && !path.includes('[') && !path.includes('<');
    if (node.description !== undefined) {
      out.push('', top ? `## ${path}` : `### \`${path}\``, '', node.description, '');
      out.push(`- Type: ${describeType(node, resolve)}`);
      if (node['x-expected']) out.push(`- Accepts: ${node['x-expected']}`);
      if (node.default !== undefined && !isEmptyMapping(node.default)) out.push(`- Default: ${inline(node.default)}`);
      if (node.examples?.length) out.push(`- Examples: ${node.examples.map(inline).join(', ')}`);
      // A mapping of documented keys says it per key; a key of its own says what its change does.
      if (node['x-restart'] || children.length === 0)
        out.push(`- On change: ${part ? (RESTARTS[part] ?? `restarts ${part}`) : 'applies live'}`);
    }
    for (const [childPath, child] of children) visit(child, childPath, part, inside);
  };
  for (const [key, child] of Object.entries(schema.properties ?? {})) if (typeof child === 'object') visit(child, key, null, new Set());
  return `${out.join('\n')}\n`;
}

/** The documented keys below a node: its properties, its values by name, its list items. */
function childrenOf(node: Node, path: string, resolve: (n: Node) => { node: Node }): Array<[string, Node]> {
  const found: Array<[string, Node]> = [];
  // The keys of anyOf/oneOf branches too (a simulated reply may be a generator: ramp, sine).
  const branches = [...(node.anyOf ?? []), ...(node.oneOf ?? [])].map((branch) => resolve(branch).node);
  for (const source of [node, ...branches]) {
    for (const [key, child] of Object.entries(source.properties ?? {}))
      if (typeof child === 'object') found.push([`${path}.${key}`, child]);
  }
  const hasKeys = (child: Node): boolean => Object.keys(resolve(child).node.properties ?? {}).length > 0;
  // A value by name says what it is (a route's folder, a command's rate); a list item only when it has keys of its own (the parent's type says the rest).
  const extra = node.additionalProperties;
  if (typeof extra === 'object' && (resolve(extra).node.description !== undefined || hasKeys(extra))) found.push([`${path}.<name>`, extra]);
  if (node.items && hasKeys(node.items)) found.push([`${path}[]`, node.items]);
  return found;
}

function describeType(node: Node, resolve: (n: Node) => { node: Node }): string {
  if (node.enum) return `one of ${[...new Set(node.enum.map(String))].map((v) => `\`${v}\``).join(', ')}`;
  const types = [node.type ?? []].flat();
  if (types.length === 0) return 'see below';
  const words = types.map((type) => {
    if (type !== 'array' || !node.items) return TYPE_WORDS[type] ?? type;
    const item = resolve(node.items).node;
    const itemTypes = [item.type ?? []].flat();
    if (item.enum) return `list of ${item.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
    return itemTypes.length === 1 ? `list of ${plural(TYPE_WORDS[itemTypes[0]!] ?? itemTypes[0]!)}` : 'list';
  });
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : words[0]!;
}

function plural(word: string): string {
  if (word === 'text' || word === 'true or false') return word === 'text' ? 'texts' : 'true/false values';
  return word.endsWith('s') ? word : `${word}s`;
}

function isEmptyMapping(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** A value as it would be written in obdio.yaml (flow style). */
function inline(value: unknown): string {
  if (value === null) return 'empty (`null`)';
  if (value === '') return 'empty text (`""`)';
  if (typeof value === 'string') return `\`${value}\``;
  return `\`${flow(value)}\``;
}

function flow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (typeof value === 'object' && value !== null)
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${flow(v)}`)
      .join(', ')} }`;
  return typeof value === 'string' && /^[\w./:-]*$/.test(value) && value !== '' ? value : JSON.stringify(value);
}
