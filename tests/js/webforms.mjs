// Fills an XForm with @getodk/xforms-engine (ODK Web Forms' engine) in Node 20 over jsdom, the
// way a person would: relevant questions only, repeat instances added as the answers ask, then
// the submission payload the engine prepares (xml_submission_file and attachment files).
// Driven by tests/odk/clients.
//
//   node webforms.mjs FORM.xml MEDIA_DIR ANSWERS.json OUT_DIR [--language "Lao (lo)"] [--files DIR]
//        [--instance PREVIOUS.xml]   (an edit of a sent instance: the engine adds deprecatedID)
//
// ANSWERS.json has the shape FillForm.java takes: {"name": value, "repeat": [{...}], "image":
// "file.jpg" (read from --files DIR, by default MEDIA_DIR)}. Writes the payload's files into OUT_DIR and prints one JSON
// line {files, xml, languages, language, labels, choices, asked}; on a violation or an answer
// the form does not offer, {"error": {...}} and exit code 3.

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { JSDOM } from 'jsdom';

const window = new JSDOM('').window;
globalThis.document = window.document;
globalThis.DOMParser = window.DOMParser;
globalThis.XMLSerializer = window.XMLSerializer;
globalThis.Node = window.Node;
// The engine's bundled XPath parser expects CommonJS names.
globalThis.__dirname = '/';
globalThis.module = { exports: {} };

const { loadForm } = await import('@getodk/xforms-engine');

class EntryError extends Error {
  constructor(detail) {
    super(`${detail.kind} at ${detail.question}`);
    this.detail = detail;
  }
}

const positional = [];
let language = null;
let filesDir = null;
let previousPath = null;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--language') language = argv[++i];
  else if (argv[i] === '--files') filesDir = argv[++i];
  else if (argv[i] === '--instance') previousPath = argv[++i];
  else positional.push(argv[i]);
}
const [formPath, mediaDir, answersPath, outDir] = positional;
filesDir ??= mediaDir;
const answers = JSON.parse(await readFile(answersPath, 'utf8'));

// jr://file/NAME and jr://file-csv/NAME are the form's media, downloaded into one folder.
async function fetchFormAttachment(url) {
  const name = decodeURIComponent(String(url.href ?? url).split('/').pop());
  try {
    return new Response(await readFile(path.join(mediaDir, name)), { status: 200 });
  } catch {
    return new Response('', { status: 404 });
  }
}

const MEDIA_TYPES = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png' };
const generic = (reference) => reference.replace(/\[\d+\]/g, '');
const nameOf = (node) => node.definition.qualifiedName.localName;

const labels = {};
const choices = {};
const asked = [];

function lookup(scope, node) {
  const byPath = answers[generic(node.currentState.reference)];
  if (byPath !== undefined) return byPath;
  return scope?.[nameOf(node)];
}

async function answer(node, value) {
  const question = node.currentState.reference;
  if (node.nodeType === 'select') {
    const wanted = Array.isArray(value) ? value.map(String) : [String(value)];
    for (const one of wanted) {
      if (node.getValueOption(one) === null) {
        const offered = node.currentState.valueOptions.map((item) => item.value);
        throw new EntryError({ question, kind: 'choice', value: one, offered });
      }
    }
    node.selectValues(wanted);
  } else if (node.nodeType === 'upload') {
    const bytes = await readFile(path.join(filesDir, value));
    node.setValue(new File([bytes], value, { type: MEDIA_TYPES[path.extname(value)] ?? 'application/octet-stream' }));
  } else if (node.nodeType === 'input') {
    node.setValue(String(value));
  } else {
    throw new EntryError({ question, kind: 'not-answerable', value: String(value) });
  }
}

async function walk(node, scope) {
  for (const child of node.currentState.children ?? []) {
    if (!child.currentState.relevant) continue;
    const type = child.nodeType;
    if (type === 'group') {
      await walk(child, scope);
    } else if (type === 'repeat-range:uncontrolled' || type === 'repeat-range:controlled') {
      const wanted = lookup(scope, child);
      const list = Array.isArray(wanted) ? wanted : [];
      const existing = child.currentState.children.length;
      if (type === 'repeat-range:uncontrolled' && list.length > existing) {
        child.addInstances(existing - 1, list.length - existing);
      }
      const instances = child.currentState.children;
      for (let i = 0; i < instances.length; i++) await walk(instances[i], list[i] ?? {});
    } else if (type === 'input' || type === 'select' || type === 'upload') {
      const name = nameOf(child);
      asked.push(child.currentState.reference);
      if (!(name in labels)) labels[name] = child.currentState.label?.asString ?? null;
      if (type === 'select' && !(name in choices)) {
        choices[name] = Object.fromEntries(
          child.currentState.valueOptions.map((item) => [item.value, item.label.asString]),
        );
      }
      const value = lookup(scope, child);
      if (value !== undefined && value !== null && !child.currentState.readonly) {
        await answer(child, value);
      }
    }
  }
}

const form = await loadForm(await readFile(formPath, 'utf8'), { fetchFormAttachment });
if (form.status === 'failure') {
  console.log(JSON.stringify({ error: { kind: 'load', message: String(form.error) } }));
  process.exit(3);
}
// An edit: the engine restores the previous instance in its edit mode (Web Forms' "edit
// submission"), which gives it a new instanceID and keeps the old one as deprecatedID.
const instance =
  previousPath === null
    ? form.createInstance()
    : await form.editInstance({
        inputType: 'FORM_INSTANCE_INPUT_RESOLVABLE',
        resolveInstance: async () => await readFile(previousPath, 'utf8'),
        // The files the original sent stay on the server: the engine sends only new ones.
        attachments: new Map(),
      });
const root = instance.root;
const languages = root.languages.filter((l) => !l.isSyntheticDefault).map((l) => l.language);
if (language !== null) {
  const chosen = root.languages.find((l) => l.language === language);
  if (!chosen) throw new Error(`no language ${language} among ${languages}`);
  root.setLanguage(chosen);
}

try {
  await walk(root, answers);
  const violations = root.validationState.violations;
  if (violations.length > 0) {
    const first = violations[0];
    throw new EntryError({
      question: first.reference,
      kind: first.violation.condition,
      message: first.violation.message?.asString ?? null,
    });
  }
} catch (error) {
  if (!(error instanceof EntryError)) throw error;
  console.log(JSON.stringify({ error: error.detail }));
  process.exit(3);
}

const payload = await root.prepareInstancePayload();
if (payload.status !== 'ready') {
  console.log(JSON.stringify({ error: { kind: 'payload', message: payload.status } }));
  process.exit(3);
}
const files = [];
let xml = null;
for (const [part, file] of payload.data[0].entries()) {
  const bytes = Buffer.from(await file.arrayBuffer());
  await writeFile(path.join(outDir, file.name), bytes);
  files.push({ part, name: file.name, type: file.type, size: bytes.length });
  if (part === 'xml_submission_file') xml = bytes.toString('utf8');
}
console.log(
  JSON.stringify({
    files,
    xml,
    languages,
    language: root.currentState.activeLanguage.language,
    labels,
    choices,
    asked,
  }),
);
