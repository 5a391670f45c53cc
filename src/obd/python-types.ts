/**
 * `unit` strings for values that are not quantities: python-OBD's OBDResponse.unit is then
 * `str(type(value))`, and clients match on these exact texts.
 */
export const PY_TYPE = {
  str: "<class 'str'>",
  list: "<class 'list'>",
  tuple: "<class 'tuple'>",
  bool: "<class 'bool'>",
  bytearray: "<class 'bytearray'>",
  /** Our own multi-field records (mode 01 PIDs python-OBD lacks): what a Python dict would print. */
  dict: "<class 'dict'>",
  status: "<class 'obd.OBDResponse.Status'>",
  bitArray: "<class 'obd.utils.BitArray'>",
  monitor: "<class 'obd.OBDResponse.Monitor'>",
} as const;
