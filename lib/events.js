'use strict'
// `client.on('request' | 'response' | 'retry' | 'token' | 'reconcile', fn)` and `WECHAT_OPENAPI_LOG=debug`. The native client
// reports events through one callback that is registered only while someone listens (or the log is on), so a
// client nobody watches pays nothing. Events carry names, codes and timings, never a token or secret.

const { EventEmitter } = require('node:events')
const { callSafely, warn } = require('./guard.js')

const EVENTS = new Set(['request', 'response', 'retry', 'token', 'reconcile'])

/** The native event as listeners see it: only the fields that kind has, camelCase, expiresAt as a Date. */
function shape(e) {
  const out = { api: e.api }
  if (e.path !== undefined && e.path !== null) out.path = e.path
  if (e.kind === 'response') out.attempts = e.attempt
  else if (e.kind !== 'token') out.attempt = e.attempt
  for (const key of ['httpStatus', 'errCode', 'category', 'durationMs', 'rid', 'delayMs', 'reason', 'appid']) {
    if (e[key] !== undefined && e[key] !== null) out[key] = e[key]
  }
  if (e.durationMs !== undefined && e.durationMs !== null) out.durationMs = Math.round(e.durationMs * 100) / 100
  if (e.kind === 'token') out.expiresAt = e.expiresAt == null ? null : new Date(e.expiresAt)
  return out
}

/** One line per call and per token fetch; every field is already free of credentials. A raw request names its path. */
function logLine(kind, e) {
  const api = e.api === 'request' && e.path ? `request ${e.path}` : e.api
  const ms = `${Math.round(e.durationMs ?? 0)}ms`
  if (kind === 'reconcile') {
    return `[wechat-openapi] ${api} reconcile=${e.reason} after errcode=${e.errCode} attempt=${e.attempt}`
  }
  if (kind === 'token') {
    const expires = e.expiresAt ? ` expires=${e.expiresAt.toISOString()}` : ''
    return `[wechat-openapi] token ${e.reason} appid=${e.appid ?? '-'} errcode=${e.errCode} duration=${ms}${expires}`
  }
  const status = e.httpStatus ?? '-'
  return `[wechat-openapi] ${api} status=${status} errcode=${e.errCode} attempts=${e.attempts} duration=${ms} rid=${e.rid ?? '-'}`
}

class CallEvents {
  constructor(env = process.env) {
    this.emitter = new EventEmitter()
    this.log = /^debug$/i.test(env.WECHAT_OPENAPI_LOG || '')
    this.handle = undefined
    this.observing = false
    // Never throws: the native side calls this without a way to receive an exception.
    this.dispatch = (native) => {
      try {
        const event = shape(native)
        if (this.log && (native.kind === 'response' || native.kind === 'token' || native.kind === 'reconcile')) process.stderr.write(logLine(native.kind, event) + '\n')
        // A listener's throw, or the rejection of the promise an async listener returns, is a warning.
        for (const listener of this.emitter.listeners(native.kind)) callSafely(`'${native.kind}' listener`, listener, undefined, [event])
      } catch (err) {
        warn('event delivery', err)
      }
    }
  }

  /**
   * The native client these events come from (a new one after `init`); listeners carry over. Held weakly: the
   * native side keeps `dispatch` (and so this object) alive, which must not keep the client alive in turn.
   */
  attach(handle) {
    this.handle = new WeakRef(handle)
    this.observing = false
    this.sync()
  }

  on(event, listener) {
    if (!EVENTS.has(event)) throw new TypeError(`unknown event ${JSON.stringify(event)}: use 'request', 'response', 'retry', 'token' or 'reconcile'`)
    if (typeof listener !== 'function') throw new TypeError('listener must be a function')
    this.emitter.on(event, listener)
    this.sync()
  }

  off(event, listener) {
    this.emitter.off(event, listener)
    this.sync()
  }

  sync() {
    const wanted = this.log || [...EVENTS].some((e) => this.emitter.listenerCount(e) > 0)
    const handle = this.handle && this.handle.deref()
    if (!handle || wanted === this.observing) return
    handle.observe(wanted ? this.dispatch : undefined)
    this.observing = wanted
  }
}

/** `client.tokens()`: which tokens are cached and until when, never their values. */
function tokens(handle) {
  return handle.tokens().map((t) => ({
    kind: t.kind,
    appid: t.appid ?? null,
    cached: t.cached,
    expiresAt: t.expiresAt == null ? null : new Date(t.expiresAt),
  }))
}

module.exports = { CallEvents, tokens, logLine, shape }
