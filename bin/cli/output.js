'use strict'
// What commands print: results as JSON on stdout (BigInt as its digits), typed errors as JSON on stderr.

function toJson(value) {
  return JSON.stringify(value, (key, v) => (typeof v === 'bigint' ? v.toString() : v), 2)
}

/** The fields of an OpenApiError a script can act on; never anything that could hold a credential beyond errMsg, which the core scrubs. */
function errorJson(e) {
  const fields = ['errCode', 'errMsg', 'category', 'retryable', 'attempts', 'httpStatus', 'rid', 'meaning', 'api']
  const out = { name: e.name }
  for (const f of fields) if (e[f] !== undefined) out[f] = e[f]
  return toJson(out)
}

module.exports = { toJson, errorJson }
