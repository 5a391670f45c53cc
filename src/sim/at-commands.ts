/**
 * Parses ELM327 AT commands (already upper-cased, spaces removed, "AT" stripped) into what
 * the adapter should do. Anything the ELM327 v1.5 would not accept parses to null, which the
 * adapter answers with "?".
 */

export type Flag = 'echo' | 'headers' | 'linefeeds' | 'spaces' | 'memory' | 'responses' | 'autoFormat';

export type AtCommand =
  | { readonly kind: 'reset' } // Z
  | { readonly kind: 'warmStart' } // WS
  | { readonly kind: 'defaults' } // D
  | { readonly kind: 'flag'; readonly flag: Flag; readonly on: boolean }
  | { readonly kind: 'text'; readonly text: string } // fixed answers: I, @1, @2
  | { readonly kind: 'voltage' } // RV
  | { readonly kind: 'ignition' } // IGN
  | { readonly kind: 'describeProtocol'; readonly numeric: boolean } // DP, DPN
  | { readonly kind: 'protocol'; readonly id: string; readonly auto: boolean; readonly store: boolean } // SP, SPA, TP, TPA
  | { readonly kind: 'header'; readonly hex: string } // SH
  | { readonly kind: 'receiveFilter'; readonly pattern: string | null } // CRA
  | { readonly kind: 'canPriority'; readonly value: number } // CP
  | { readonly kind: 'protocolClose' } // PC
  | { readonly kind: 'lowPower' } // LP
  | { readonly kind: 'monitorAll' } // MA
  | { readonly kind: 'baudDivisor'; readonly divisor: number } // BRD hh: try 4000/hh kbaud
  | { readonly kind: 'baudTimeout'; readonly ms: number } // BRT hh: hh × 5 ms
  | { readonly kind: 'ok' }; // accepted settings the simulator does not model

export const ELM_VERSION = 'ELM327 v1.5';
const DEVICE_DESCRIPTION = 'OBDII to RS232 Interpreter';

const FLAGS: ReadonlyArray<readonly [string, Flag]> = [
  ['CAF', 'autoFormat'],
  ['E', 'echo'],
  ['H', 'headers'],
  ['L', 'linefeeds'],
  ['S', 'spaces'],
  ['M', 'memory'],
  ['R', 'responses'],
];

/** Settings accepted with OK and otherwise ignored (timing, flow control, ISO init, DLC display...). */
const ACCEPTED: readonly RegExp[] = [
  /^AT[012]$/, // adaptive timing
  /^ST[0-9A-F]{2}$/, // response timeout
  /^(AL|NL|AR|BI|SI|FI|CV\d{4})$/,
  /^(CFC|CSM|D|V|KW|JHF|JS|JE|CEA)[01]?$/,
  /^CEA[0-9A-F]{2}$/,
  /^(CF|CM)([0-9A-F]{3}|[0-9A-F]{8})$/,
  /^FCSH([0-9A-F]{3}|[0-9A-F]{6}|[0-9A-F]{8})$/,
  /^FCSD([0-9A-F]{2}){1,5}$/,
  /^FCSM[0-2]$/,
  /^IB(10|48|96)$/,
  /^(IIA|SR|RA|TA|SW)[0-9A-F]{2}$/,
  /^WM([0-9A-F]{2}){1,6}$/,
  /^PB[0-9A-F]{4}$/,
];

const HEX_DIGIT = /^[0-9A-C]$/;

/** `command` is what follows "AT", upper case, without spaces. */
export function parseAt(command: string): AtCommand | null {
  switch (command) {
    case 'Z':
      return { kind: 'reset' };
    case 'WS':
      return { kind: 'warmStart' };
    case 'D':
      return { kind: 'defaults' };
    case 'I':
      return { kind: 'text', text: ELM_VERSION };
    case '@1':
      return { kind: 'text', text: DEVICE_DESCRIPTION };
    case '@2':
      // No device identifier has been stored (AT@3), as on most adapters.
      return { kind: 'text', text: '?' };
    case 'RV':
      return { kind: 'voltage' };
    case 'IGN':
      return { kind: 'ignition' };
    case 'DP':
      return { kind: 'describeProtocol', numeric: false };
    case 'DPN':
      return { kind: 'describeProtocol', numeric: true };
    case 'PC':
      return { kind: 'protocolClose' };
    case 'LP':
      return { kind: 'lowPower' };
    case 'MA':
      return { kind: 'monitorAll' };
    case 'CRA':
      return { kind: 'receiveFilter', pattern: null };
  }

  for (const [name, flag] of FLAGS) {
    const match = new RegExp(`^${name}([01])$`).exec(command);
    if (match) return { kind: 'flag', flag, on: match[1] === '1' };
  }

  const protocol = /^(SP|TP)(A?)([0-9A-C]|00)$/.exec(command);
  if (protocol) {
    const id = protocol[3] === '00' ? '0' : protocol[3];
    if (protocol[3] === '00' && protocol[1] === 'TP') return null;
    if (!HEX_DIGIT.test(id)) return null;
    // SP sets and remembers; TP tries without remembering and searches if it fails;
    // an A prefix (or protocol 0) means search when the given protocol does not answer.
    return { kind: 'protocol', id, auto: id === '0' || protocol[2] === 'A' || protocol[1] === 'TP', store: protocol[1] === 'SP' };
  }

  // BRD 00 would divide by zero: the chip refuses it.
  const divisor = /^BRD([0-9A-F]{2})$/.exec(command);
  if (divisor) return parseInt(divisor[1], 16) === 0 ? null : { kind: 'baudDivisor', divisor: parseInt(divisor[1], 16) };

  const baudTimeout = /^BRT([0-9A-F]{2})$/.exec(command);
  if (baudTimeout) return { kind: 'baudTimeout', ms: (parseInt(baudTimeout[1], 16) || 0x100) * 5 };

  const header = /^SH([0-9A-F]{3}|[0-9A-F]{6})$/.exec(command);
  if (header) return { kind: 'header', hex: header[1] };

  const filter = /^CRA([0-9A-FX]{3}|[0-9A-FX]{8})$/.exec(command);
  if (filter) return { kind: 'receiveFilter', pattern: filter[1] };

  const priority = /^CP([0-9A-F]{2})$/.exec(command);
  if (priority) return { kind: 'canPriority', value: parseInt(priority[1], 16) & 0x1f };

  if (ACCEPTED.some((pattern) => pattern.test(command))) return { kind: 'ok' };
  return null;
}

/** An STN11xx (OBDLink) ST command, after "ST" (upper case, no spaces). */
export type StCommand =
  | { readonly kind: 'text'; readonly which: 'firmware' | 'device' } // I, DI
  | { readonly kind: 'baud'; readonly baud: number } // BR baud
  | { readonly kind: 'baudTimeout'; readonly ms: number }; // BRT ms

/** Rates an STN11xx UART can generate within 3 % (the chip answers "?" otherwise). */
const STN_BAUD_RANGE = { min: 300, max: 10_000_000 } as const;

export function parseSt(command: string): StCommand | null {
  if (command === 'I') return { kind: 'text', which: 'firmware' };
  if (command === 'DI') return { kind: 'text', which: 'device' };
  const timeout = /^BRT(\d{1,5})$/.exec(command);
  if (timeout) return Number(timeout[1]) <= 65535 ? { kind: 'baudTimeout', ms: Number(timeout[1]) } : null;
  const baud = /^BR(\d{3,8})$/.exec(command);
  if (baud) {
    const rate = Number(baud[1]);
    return rate >= STN_BAUD_RANGE.min && rate <= STN_BAUD_RANGE.max ? { kind: 'baud', baud: rate } : null;
  }
  return null;
}
