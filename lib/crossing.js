'use strict'
// The JS half of the one crossing into the core: every promise-returning native method (`openapi.*`,
// `openapi.request`, the platform flows, token warm-up) is entered through `cross`, and every outcome, sync or
// async, is read by `settle`. Per-call options are checked here the same way for all of them, and an AbortSignal
// stops the native call where it stands.

const { OpenApiError, fromNative, makeError } = require('./errors.js')
const json = require('./json.js')
const { describe } = require('./guard.js')
const { checkFinite, suggestion } = require('./config.js')

/** What `openapi(options)` takes; the platform flows take the subset that makes sense without a table row. */
const CALL_OPTION_KEYS = new Set(['convertCase', 'appid', 'timeout', 'attemptTimeout', 'maxAttempts', 'retryUnsafe', 'signal'])
const FLOW_OPTION_KEYS = new Set(['timeout', 'attemptTimeout', 'maxAttempts', 'signal'])
let nextCallId = 1

function firstLine(thrown) {
  return describe(thrown).split('\n')[0]
}

/** The options as the core reads them (JSON, without the signal); bad ones are the caller's invalid argument. */
function encodeOptions(api, options, keys = CALL_OPTION_KEYS) {
  try {
    if (options === null || typeof options !== 'object') throw makeError(api, 'invalid-argument', 'options must be an object')
    for (const key of Object.keys(options)) {
      if (!keys.has(key)) throw makeError(api, 'invalid-argument', `unknown option ${JSON.stringify(key)}${suggestion(key, keys)}`)
    }
    const { signal, ...rest } = options
    checkFinite(api, rest, ['timeout', 'attemptTimeout', 'maxAttempts'])
    if (signal !== undefined && !(signal && typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function')) {
      throw makeError(api, 'invalid-argument', 'signal must be an AbortSignal')
    }
    return JSON.stringify(rest)
  } catch (e) {
    if (e instanceof OpenApiError) throw e
    // A getter that throws, a cycle, a BigInt: the caller's options, not our fault.
    throw makeError(api, 'invalid-argument', `options cannot be read: ${firstLine(e)}`)
  }
}

/** The signal's reason text; a reason that cannot be read is no reason. */
function reasonOf(signal) {
  try {
    return signal.reason && signal.reason.message
  } catch {
    return undefined
  }
}

/** A part of the caller's signal that throws is a bad argument, like a signal that is not one. */
function signalPart(api, what, read) {
  try {
    return read()
  } catch (e) {
    throw makeError(api, 'invalid-argument', `signal.${what} threw: ${firstLine(e)}`)
  }
}

/**
 * Runs `invoke(callId)` so that the signal, when it fires, stops the native call where it stands. Nothing
 * the signal does after the call was sent (a missing or throwing removeEventListener) can replace its result.
 */
async function withSignal(api, signal, handle, invoke) {
  if (!signal) return invoke(undefined)
  if (signalPart(api, 'aborted', () => signal.aborted === true)) throw makeError(api, 'aborted', reasonOf(signal))
  const id = nextCallId++ >>> 0
  const onAbort = () => handle.abort(id)
  signalPart(api, 'addEventListener', () => signal.addEventListener('abort', onAbort, { once: true }))
  try {
    return await invoke(id)
  } finally {
    try {
      if (typeof signal.removeEventListener === 'function') signal.removeEventListener('abort', onAbort)
    } catch {
      // The listener stays on a signal that cannot let go of it: harmless, it only aborts a finished call id.
    }
  }
}

/** The core never rejects on purpose; anything that does (a panic caught by napi) still becomes an OpenApiError. */
function nativeFailure(api, e) {
  return e instanceof OpenApiError ? e : makeError(api, 'internal', e && e.message)
}

/** A call's outcome: the answer's JSON text itself in the common case (see `to_js` in src/outcome.rs), else fields. */
function settle(api, outcome) {
  if (typeof outcome === 'string') return JSON.parse(outcome)
  if (outcome.error) throw fromNative(outcome.error)
  if (outcome.json !== undefined && outcome.json !== null) return json.decode(outcome.json, outcome.bigInts)
  return { contentType: outcome.contentType, buffer: outcome.buffer, errMsg: `openapi.${api}:ok`, errCode: 0 }
}

/**
 * One crossing: `invoke(handle, optionsJson, callId)` starts a promise-returning native method; its outcome is
 * settled. `options` are checked against `keys` first; `getNative` may throw a config error, which is the
 * call's rejection like any other.
 */
async function cross(api, getNative, options, invoke, keys = FLOW_OPTION_KEYS) {
  let outcome
  try {
    const optionsJson = encodeOptions(api, options, keys)
    const handle = getNative()
    outcome = await withSignal(api, options.signal, handle, (id) => invoke(handle, optionsJson, id))
  } catch (e) {
    throw nativeFailure(api, e)
  }
  return settle(api, outcome)
}

module.exports = { CALL_OPTION_KEYS, FLOW_OPTION_KEYS, cross, encodeOptions, firstLine, nativeFailure, settle, withSignal }
