'use strict'
// `client.push` (the account's own message push) and `client.component.messages` (its authorizers' pushes on
// the platform's `$APPID$` URL): verified by the native core (signature, decryption, freshness, duplicates),
// then dispatched to the listeners of the message's event (`Event`, lower-cased, or `InfoType`, or `MsgType`)
// and to 'push' listeners. A listener may return a passive reply made by `replies`, sent back in the push's
// format and mode; otherwise (whatever else it returns) the answer is 'success'. The push counts as handled
// only once they all succeeded (`settlePush`): a delivery that arrives meanwhile waits in the core.

const { EventEmitter } = require('node:events')
const { makeError } = require('./errors.js')
const { cross, settle } = require('./crossing.js')
const { normalizeQuery } = require('./query.js')
const { pushHandler } = require('./push_handler.js')
const { replies, isReply } = require('./push_replies.js')

const APPID_IN_PATH = /^wx[0-9a-z]{16}$/i

class PushApi {
  /**
   * @param {() => object} getNative the client's native handle
   * @param {boolean} viaComponent true for the authorizers' pushes (`client.component.messages`)
   */
  constructor(getNative, viaComponent) {
    Object.defineProperty(this, 'native', { get: getNative, enumerable: false })
    Object.defineProperty(this, 'events', { value: new EventEmitter(), enumerable: false })
    Object.defineProperty(this, 'viaComponent', { value: viaComponent, enumerable: false })
    Object.defineProperty(this, 'api', { value: viaComponent ? 'component.handleMessage' : 'push.handlePush', enumerable: false })
  }

  /** Reply builders for the courier events (add_waybill, cancel_waybill, check_biz, get_quota). */
  get replies() {
    return replies
  }

  /** Listen for one event (`add_express_path`, `wxa_media_check`, …) or 'push' (every push). */
  on(event, listener) {
    this.events.on(checkEvent(this.viaComponent ? 'component.messages.on' : 'push.on', event, listener), listener)
    return this
  }

  once(event, listener) {
    this.events.once(checkEvent(this.viaComponent ? 'component.messages.once' : 'push.once', event, listener), listener)
    return this
  }

  off(event, listener) {
    this.events.off(event, listener)
    return this
  }

  /**
   * Handles one request to the push URL: answers the URL check (a GET with `echostr`), or verifies a POSTed
   * push, runs its listeners once (a replay or WeChat's retry of a handled push runs none) and resolves to
   * the answer: 'success' or a listener's reply, written for WeChat.
   * @param {{ query: string | object, body?: string | Buffer, appid?: string }} request `appid`: the
   *   authorizer, for `component.messages` (the `$APPID$` part of the URL)
   */
  async handlePush({ query, body, appid } = {}) {
    const q = normalizeQuery(query)
    const authorizer = this.viaComponent ? checkAppid(this.api, appid) : null
    const text = Buffer.isBuffer(body) ? body.toString('utf8') : body
    if ((text === undefined || text === '') && q.echostr !== undefined) {
      return settle(this.api, this.native.pushVerifyUrl(authorizer, q))
    }
    if (typeof text !== 'string') throw makeError(this.api, 'invalid-argument', 'push rejected: body must be the raw request body (string or Buffer)')
    const received = await cross(this.api, () => this.native, {}, (h, o, id) => h.pushReceive(authorizer, q, text, o, id))
    // Handled already: answered as its first run was when this delivery waited for it.
    if (received.ignored) return received.answer ?? 'success'
    const settleAs = (answer) => settlePush(this.api, () => this.native, (h, o, id) => h.pushSettle(authorizer, received.pushKey, answer, o, id))
    let answer
    try {
      answer = await this.answer(received, authorizer)
    } catch (e) {
      // Answered 500, so WeChat pushes again: that retry must reach the listeners, not count as a duplicate.
      await settleAs(null)
      throw e
    }
    await settleAs(answer)
    return answer
  }

  /** Runs the listeners of a first delivery; 'success', or the passive reply one of them returned. */
  async answer(received, authorizer) {
    const context = { appid: received.appid, event: received.event, format: received.format, encrypted: received.encrypted }
    const answers = await Promise.all([...this.run(received.event, received.message, context), ...this.run('push', received.message, context)])
    const reply = answers.find(isReply)
    if (reply === undefined) return 'success'
    return settle(this.api, this.native.pushReply(authorizer, received.format, received.encrypted, JSON.stringify(reply)))
  }

  /** Every listener of `event` called, each as a promise of what it returned. */
  run(event, message, context) {
    return this.events.rawListeners(event).map((listener) => new Promise((resolve) => resolve(listener.call(this, message, context))))
  }

  /**
   * A request handler for node:http, Express or Koa that reads the raw body itself. For `component.messages`
   * the authorizer's appid is the path segment that looks like one, unless `appid(req)` says otherwise.
   */
  pushHandler(options = {}) {
    const appidOf = options && options.appid
    if (appidOf !== undefined && typeof appidOf !== 'function') throw makeError(`${this.api}`, 'invalid-argument', 'appid must be a function (req) => string')
    const { appid: _omit, ...rest } = options || {}
    const target = {
      verifiesUrl: true,
      handlePush: (request, req) => {
        if (!this.viaComponent) return this.handlePush(request)
        const appid = appidOf ? appidOf(req) : appidInPath(req.originalUrl || req.url)
        return this.handlePush({ ...request, appid })
      },
    }
    return pushHandler(target, rest)
  }
}

/**
 * Tells the core how a push's first delivery ended (`invoke` crosses with its settle method). Never throws: the
 * push's own outcome is the answer, and a store that could not record it lets its key expire with the window;
 * that failure is a process warning (the core's message: scrubbed, the store key a digest).
 */
async function settlePush(api, getNative, invoke) {
  try {
    await cross(api, getNative, {}, invoke)
  } catch (e) {
    process.emitWarning(`wechat-openapi: ${api} could not record how a push ended: ${e && e.message}`, { code: 'WECHAT_OPENAPI_PUSH' })
  }
}

function appidInPath(url) {
  const path = String(url || '').split('?')[0]
  return path.split('/').map(decodeURIComponent).find((segment) => APPID_IN_PATH.test(segment))
}

function checkAppid(api, appid) {
  if (typeof appid !== 'string' || !APPID_IN_PATH.test(appid)) {
    throw makeError(api, 'invalid-argument', 'push rejected: appid must be the authorizer appid from the URL ($APPID$)')
  }
  return appid
}

function checkEvent(api, event, listener) {
  if (typeof event !== 'string' || event === '') throw makeError(api, 'invalid-argument', 'event must be a non-empty string, e.g. "add_express_path"')
  if (typeof listener !== 'function') throw makeError(api, 'invalid-argument', 'listener must be a function')
  return event
}

module.exports = { PushApi, settlePush }
