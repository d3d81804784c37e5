'use strict'
// Query strings of WeChat's pushes. A base64 `echostr` may contain '+', which is a plus here, not a space:
// values are decoded as URI components, never as form fields (URLSearchParams and qs would turn it into ' ').

/** 'a=1&b=2' (with or without '?') → { a: '1', b: '2' }; the first occurrence of a name wins. */
function parseQueryString(text) {
  const out = {}
  const raw = String(text || '').replace(/^\?/, '')
  if (!raw) return out
  for (const part of raw.split('&')) {
    if (!part) continue
    const at = part.indexOf('=')
    const name = decode(at === -1 ? part : part.slice(0, at))
    const value = at === -1 ? '' : decode(part.slice(at + 1))
    if (!(name in out)) out[name] = value
  }
  return out
}

function decode(s) {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** The query part of a request URL ('/path?x=1' → 'x=1'). */
function queryOf(url) {
  const at = String(url || '').indexOf('?')
  return at === -1 ? '' : String(url).slice(at + 1)
}

/**
 * A query given as a string, URLSearchParams or plain object (Express's req.query) → { name: string }.
 * Arrays keep their first value; non-string values are dropped.
 */
function normalizeQuery(query) {
  if (query == null) return {}
  if (typeof query === 'string') return parseQueryString(query)
  const out = {}
  const entries = typeof query.entries === 'function' && !Array.isArray(query) ? [...query.entries()] : Object.entries(query)
  for (const [name, value] of entries) {
    const first = Array.isArray(value) ? value[0] : value
    if (typeof first === 'string' && !(name in out)) out[name] = first
  }
  return out
}

module.exports = { parseQueryString, queryOf, normalizeQuery }
