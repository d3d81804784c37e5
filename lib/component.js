'use strict'
// `cloud.component` / `client.component`: the third-party platform side of a client. Push intake with
// listeners, the authorization flow, and the refresh-token hook the native core calls. The work is done by
// the Rust core; this file converts, emits events and awaits async listeners.

const { EventEmitter } = require('node:events')
const { makeError } = require('./errors.js')
const { normalizeQuery } = require('./query.js')
const { pushHandler } = require('./push_handler.js')
const { cross, settle } = require('./crossing.js')
const { callSafely, describe } = require('./guard.js')

const { PushApi, settlePush } = require('./push.js')

const EVENTS = ['authorized', 'updateauthorized', 'unauthorized', 'notify_third_fasteregister', 'ticket', 'push', 'refreshToken']
/** Pushes whose listeners are named after their InfoType. */
const NAMED_PUSHES = ['authorized', 'updateauthorized', 'unauthorized', 'notify_third_fasteregister']

class ComponentApi {
  /** @param {() => object} getNative returns the client's native handle (may throw a config error) */
  constructor(getNative) {
    Object.defineProperty(this, 'native', { get: getNative, enumerable: false })
    Object.defineProperty(this, 'events', { value: new EventEmitter(), enumerable: false })
    /** The authorizers' message pushes to this platform's `$APPID$` URL (verified with the platform's key). */
    Object.defineProperty(this, 'messages', { value: new PushApi(getNative, true), enumerable: true })
  }

  /** Listen for 'authorized' | 'updateauthorized' | 'unauthorized' | 'notify_third_fasteregister' | 'ticket' | 'push' | 'refreshToken'. */
  on(event, listener) {
    this.events.on(checkEvent(event), listener)
    return this
  }

  once(event, listener) {
    this.events.once(checkEvent(event), listener)
    return this
  }

  off(event, listener) {
    this.events.off(event, listener)
    return this
  }

  /**
   * Verifies, decrypts and acts on one push to the authorization-event URL (stores a ticket, reports an
   * authorization event), then resolves to 'success', the answer WeChat expects.
   * @param {{ query: string | object, body: string | Buffer }} push
   * @param {{ signal?: AbortSignal, timeout?: number }} [options]
   */
  async handlePush({ query, body } = {}, options = {}) {
    const api = 'component.handlePush'
    const text = Buffer.isBuffer(body) ? body.toString('utf8') : body
    if (typeof text !== 'string') {
      throw makeError(api, 'invalid-argument', 'push rejected: body must be the raw XML (string or Buffer)')
    }
    const q = normalizeQuery(query)
    const { ignored, pushKey, message, ...report } = await cross(api, () => this.native, options, (h, o, id) => h.componentHandlePush(q, text, o, id))
    // A push already handled (WeChat's retry, or a replay) or a ticket older than the stored one: nothing to tell.
    if (ignored) return 'success'
    // Handled only once the listeners succeeded: a delivery arriving meanwhile waits for them in the core.
    const settleAs = (ok) => settlePush(api, () => this.native, (h, o, id) => h.componentSettlePush(pushKey, ok, o, id))
    try {
      if (report.infoType === 'component_verify_ticket') await emitAll(this, 'ticket', report)
      if (NAMED_PUSHES.includes(report.infoType)) await emitAll(this, report.infoType, report)
      await emitAll(this, 'push', report)
    } catch (e) {
      // Answered 500, so WeChat pushes again: that retry must reach the listeners, not count as a duplicate.
      await settleAs(false)
      throw e
    }
    await settleAs(true)
    return 'success'
  }

  /** A request handler for node:http, Express or Koa that reads the raw body itself. */
  pushHandler(options) {
    // The handler hands over its request as a second argument, which here would read as call options.
    return pushHandler({ handlePush: (push) => this.handlePush(push) }, options)
  }

  /** Asks WeChat to push a component_verify_ticket now. `options`: `{ signal, timeout }` like any call. */
  startPushTicket(options = {}) {
    return cross('component.startPushTicket', () => this.native, options, (h, o, id) => h.componentStartPushTicket(o, id))
  }

  /** @returns {Promise<{ preAuthCode: string, expiresIn: number }>} */
  getPreAuthCode(options = {}) {
    return cross('component.getPreAuthCode', () => this.native, options, (h, o, id) => h.componentPreAuthCode(o, id))
  }

  /**
   * The authorization page URL (PC QR-code page, or the mobile page with `mobile: true`).
   * @param {{ preAuthCode: string, redirectUri: string, authType?: number, bizAppid?: string, mobile?: boolean }} options
   */
  authorizationUrl(options) {
    if (options === null || typeof options !== 'object') {
      throw makeError('component.authorizationUrl', 'invalid-argument', 'options must be { preAuthCode, redirectUri }')
    }
    return settle('component.authorizationUrl', this.native.componentAuthorizationUrl(JSON.stringify(options)))
  }

  /**
   * The merchant's details and what it granted (the `component.getAuthorizerInfo` row for this platform), with
   * `authorizationInfo.permissionSets`: the granted set ids read from `funcInfo`.
   */
  async getAuthorizerInfo(authorizerAppid, options = {}) {
    const api = 'component.getAuthorizerInfo'
    if (typeof authorizerAppid !== 'string' || authorizerAppid === '') {
      throw makeError(api, 'invalid-argument', 'authorizerAppid must be a non-empty string')
    }
    const res = await callRow(this, api, { authorizerAppid }, options)
    const info = res.authorizationInfo
    if (info && Array.isArray(info.funcInfo)) {
      info.permissionSets = info.funcInfo.map((f) => f && f.funcscopeCategory && f.funcscopeCategory.id).filter(Number.isInteger)
    }
    return res
  }

  /** Resets the platform's (or, with `appid`, an authorized account's) daily quota with the platform's AppSecret. */
  async clearQuotaByAppSecret(appid, options = {}) {
    const api = 'component.clearQuotaByAppSecret'
    if (appid !== undefined && (typeof appid !== 'string' || appid === '')) {
      throw makeError(api, 'invalid-argument', 'appid must be a non-empty string when given')
    }
    return callRow(this, api, appid === undefined ? {} : { appid }, options)
  }

  /**
   * Exchanges the authorization code (from the 'authorized' event or the redirect) for the authorizer's tokens,
   * which are stored; resolves to the authorization info without the tokens.
   */
  async queryAuth(authorizationCode, options = {}) {
    const api = 'component.queryAuth'
    if (typeof authorizationCode !== 'string' || authorizationCode === '') {
      throw makeError(api, 'invalid-argument', 'authorizationCode must be a non-empty string')
    }
    return cross(api, () => this.native, options, (h, o, id) => h.componentQueryAuth(authorizationCode, o, id))
  }
}

/** A table row through the client's one road (component_appid and secrets are filled from the config there). */
function callRow(component, api, params, options) {
  return cross(api, () => component.native, options, (h, o, id) => h.call(api, JSON.stringify(params), o, id))
}

/**
 * Calls every listener of `event` and waits for those that return promises; the first failure is the push's
 * failure (answered 500). Every listener runs even when one throws, and every rejection is held here: a sync
 * throw after an async listener must not leave that listener's rejection to nobody.
 */
async function emitAll(component, event, payload) {
  const listeners = component.events.rawListeners(event)
  await Promise.all(listeners.map((listener) => new Promise((resolve) => resolve(listener.call(component, payload)))))
}

/**
 * The function the native core calls when a refresh token changes: emits 'refreshToken', then calls the
 * config's onRefreshTokenRotated. Nobody holds what it returns: each of these callbacks that throws or rejects
 * is reported as a process warning naming it (never with the value), and the others still run.
 */
function refreshTokenHook(component, onRefreshTokenRotated) {
  return async (event) => {
    const context = `authorizer ${describe(event && event.authorizerAppid)}`
    const listeners = component.events.rawListeners('refreshToken')
    await Promise.all(listeners.map((listener) => callSafely("'refreshToken' listener", listener, component, [event], context)))
    if (onRefreshTokenRotated) await callSafely('onRefreshTokenRotated', onRefreshTokenRotated, undefined, [event], context)
  }
}

function checkEvent(event) {
  if (!EVENTS.includes(event)) {
    throw makeError('component.on', 'invalid-argument', `unknown event ${JSON.stringify(event)}; events: ${EVENTS.join(', ')}`)
  }
  return event
}

module.exports = { ComponentApi, EVENTS, refreshTokenHook }
