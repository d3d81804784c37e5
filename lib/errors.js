'use strict'
// The one error class of the SDK. Every failure (WeChat's errcode, bad arguments, network, timeout, config)
// is an OpenApiError with wx-server-sdk's errCode/errMsg/message shape plus what a caller needs to react.
// The native core fills every field and the message (it owns the code table, api/error-codes.json, the
// message format and secret scrubbing); this file only wraps what it is given. Misuse found here in JS is
// made into an error by the core too (`makeError`), so it reads exactly like a native one.

const native = require('./binding.js')

/** wx-server-sdk's SDK-side codes, from the code table: `{ BAD_ARGUMENTS: -601002, … }`. */
const SDK_CODES = Object.freeze(Object.fromEntries(native.sdkCodes().map(({ name, code }) => [name, code])))

class OpenApiError extends Error {
  constructor(fields) {
    super(fields.message)
    this.name = 'OpenApiError'
    this.errCode = fields.errCode
    this.errMsg = fields.errMsg
    this.api = fields.api
    this.rid = fields.rid == null ? undefined : fields.rid
    this.category = fields.category
    this.retryable = Boolean(fields.retryable)
    this.attempts = fields.attempts || 0
    this.httpStatus = fields.httpStatus == null ? undefined : fields.httpStatus
    this.meaning = fields.meaning == null ? undefined : fields.meaning
    if (fields.raw != null) this.raw = fields.raw
    // From the core as JSON text; given to the constructor (a user's own error), as an object.
    if (fields.details != null) this.details = typeof fields.details === 'string' ? JSON.parse(fields.details) : fields.details
  }
}

/** A NativeError (returned by a call, or thrown by a synchronous native function) as an OpenApiError. */
function fromNative(e) {
  return new OpenApiError(e)
}

/**
 * Misuse found in JS before calling the core, made into an error by the core.
 * @param {string} api what was called (`logistics.getAllAccount`, `createClient`, `crypto.decrypt`)
 * @param {'invalid-argument' | 'aborted' | 'internal'} kind `aborted`: `text` is the AbortSignal's reason
 */
function makeError(api, kind, text) {
  return fromNative(native.makeError(api, kind, String(text ?? '')))
}

/** What a synchronous native function throws on failure: a NativeError's fields, not an Error. */
function isNativeError(e) {
  return e !== null && typeof e === 'object' && !(e instanceof Error) && typeof e.errCode === 'number' && typeof e.errMsg === 'string'
}

/**
 * Runs a synchronous native function. A NativeError it throws becomes an OpenApiError; any other throw (an
 * argument napi could not convert) is made into an invalid-argument error named after `api`.
 */
function callNative(api, fn) {
  try {
    return fn()
  } catch (e) {
    if (isNativeError(e)) throw fromNative(e)
    if (e instanceof OpenApiError) throw e
    throw makeError(api, 'invalid-argument', e && e.message)
  }
}

module.exports = { OpenApiError, SDK_CODES, fromNative, makeError, callNative }
