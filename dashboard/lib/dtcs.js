// Trouble codes: `obdio:dtcs` groups them by kind and ECU; a gateway without it still answers
// the reference's `query GET_DTC` (and GET_CURRENT_DTC), shown as one group per kind.
import { isMissingEvent, request } from './client.js';

const KINDS = [
  ['stored', 'Stored (confirmed)'],
  ['pending', 'Pending'],
  ['permanent', 'Permanent'],
];
const FALLBACK_QUERIES = [
  ['stored', 'GET_DTC'],
  ['pending', 'GET_CURRENT_DTC'],
  ['permanent', 'GET_PERMANENT_DTC'],
];

/** Reads every kind of trouble code; resolves `{ report, notes }` or `{ error }`. */
export async function readDtcs(socket, supported) {
  const grouped = await request(socket, 'obdio:dtcs');
  if (grouped.ok) return { report: grouped.value, notes: [] };
  if (!isMissingEvent(grouped)) return { error: grouped.error };
  const report = { stored: [], pending: [], permanent: [] };
  const notes = [];
  for (const [kind, command] of FALLBACK_QUERIES) {
    if (supported && !supported.has(command)) {
      notes.push(`${command}: not supported by this vehicle`);
      continue;
    }
    const result = await request(socket, 'query', command);
    if (!result.ok) {
      if (kind === 'stored') return { error: result.error };
      notes.push(`${command}: ${result.error.message}`);
    } else if (result.value && Array.isArray(result.value.value)) {
      report[kind].push({ ecu: 'ALL', tx_id: '', codes: result.value.value });
    }
  }
  return { report, notes };
}

/** Replaces the panel's content with the report (one render per read, not per value). */
export function renderDtcs(container, result) {
  const parts = [];
  if (result.error) {
    parts.push(paragraph('bad', `Could not read trouble codes: ${result.error.message}`));
  } else {
    let total = 0;
    for (const [kind, title] of KINDS) {
      const groups = (result.report[kind] ?? []).filter((g) => g.codes.length > 0);
      const count = groups.reduce((n, g) => n + g.codes.length, 0);
      total += count;
      if (count === 0) continue;
      const section = document.createElement('section');
      section.className = 'dtc-kind';
      section.dataset.kind = kind;
      const heading = document.createElement('h3');
      heading.textContent = `${title} · ${count}`;
      section.append(heading);
      for (const group of groups) {
        const ecu = document.createElement('div');
        ecu.className = 'dtc-ecu';
        ecu.textContent = ecuLabel(group);
        const list = document.createElement('ul');
        list.className = 'dtc-list';
        for (const [code, desc] of group.codes) {
          const item = document.createElement('li');
          item.dataset.code = code;
          const codeEl = document.createElement('span');
          codeEl.className = 'code';
          codeEl.textContent = code;
          const descEl = document.createElement('span');
          descEl.className = 'desc';
          descEl.textContent = desc || 'No description (manufacturer-specific code?)';
          item.append(codeEl, descEl);
          list.append(item);
        }
        section.append(ecu, list);
      }
      parts.push(section);
    }
    if (total === 0) parts.push(paragraph('dtc-none', 'No trouble codes.'));
    // The snapshot of sensor values an ECU kept when a code was stored (obdio:dtcs only).
    for (const frame of result.report.freeze_frame ?? []) {
      const [code, desc] = frame.dtc;
      parts.push(paragraph('empty', `Freeze frame ${frame.frame} stored by ${code}${desc ? ` (${desc})` : ''} — ${ecuLabel(frame)}`));
    }
    for (const note of result.notes ?? []) parts.push(paragraph('empty', note));
  }
  const stamp = paragraph('empty', `Read at ${new Date().toLocaleTimeString()}`);
  container.replaceChildren(...parts, stamp);
}

function paragraph(className, text) {
  const p = document.createElement('p');
  p.className = className;
  p.textContent = text;
  return p;
}

function ecuLabel({ ecu, tx_id }) {
  return ecu === 'ALL' ? 'All ECUs' : `${titleCase(ecu)} ECU${tx_id ? ` · ${tx_id}` : ''}`;
}

function titleCase(word) {
  return word.charAt(0) + word.slice(1).toLowerCase();
}
