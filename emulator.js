'use strict'

// The built-in WeChat emulator for JS: a thin shape over the native one. Options go in camelCase as JSON,
// control results come back as JSON; every convenience method is one control action.

const native = require('./binding.js')

/** The two token endpoints, summed by `tokenRequests()`. */
const TOKEN_ENDPOINTS = ['auth.getAccessToken', 'auth.getStableAccessToken']

class Emulator {
  #native

  constructor(nativeEmulator) {
    this.#native = nativeEmulator
    /** `http://127.0.0.1:<port>`: point the client's WeChat host here. */
    this.url = nativeEmulator.url
  }

  /** Stops the server; resolves once it has stopped. Safe to call twice. */
  close() {
    return this.#native.close()
  }

  /**
   * Runs a control action (`await emulator.control('actions')` lists them). The same actions answer at
   * `POST ${url}/__emulator/<action>` with a JSON body.
   */
  async control(action, args = {}) {
    if (typeof action !== 'string' || action === '') {
      throw new TypeError('control(action, args): action must be a non-empty string')
    }
    const out = await this.#native.control(action, JSON.stringify(args ?? {}))
    return JSON.parse(out)
  }

  /** Requests received per endpoint, `{ 'logistics.getAllAccount': 3, ... }`. */
  requestCounts() {
    return this.control('requestCounts')
  }

  /** Requests received by one endpoint (`namespace.method`). */
  async requestCount(name) {
    return (await this.requestCounts())[name] ?? 0
  }

  /** Token fetches of both kinds (`/cgi-bin/token` and `/cgi-bin/stable_token`). */
  async tokenRequests() {
    const counts = await this.requestCounts()
    return TOKEN_ENDPOINTS.reduce((sum, name) => sum + (counts[name] ?? 0), 0)
  }

  resetCounts() {
    return this.control('resetCounts')
  }

  /** How many times each non-idempotent endpoint actually ran: duplicates show here. */
  executions() {
    return this.control('executions')
  }

  /** Adds bound logistics accounts to `appid` (or the only app): `[{ bizId, deliveryId, alias?, quotaNum? }]`. */
  seedAccounts(appid, accounts) {
    if (Array.isArray(appid)) return this.control('seedAccounts', { accounts: appid })
    return this.control('seedAccounts', { appid, accounts })
  }

  /** The users `appid` (or the only app) knows; other openids answer 40003. */
  async openids(appid) {
    return (await this.control('openids', { appid })).openids
  }

  addOpenids(appid, openids) {
    if (Array.isArray(appid)) return this.control('addOpenids', { openids: appid })
    return this.control('addOpenids', { appid, openids })
  }

  /** The account's live tokens now answer 42001 (access_token expired). */
  expireToken(appid) {
    return this.control('expireToken', { appid })
  }

  /** The account's tokens now answer 40001; the next fetch gives a fresh one. */
  revokeToken(appid) {
    return this.control('revokeToken', { appid })
  }

  /** Approves a pending link: `approveLink(miniprogramAppid, appid?)` or `approveLink({ miniprogramAppid, appid })`. */
  approveLink(miniprogramAppid, appid) {
    const args = typeof miniprogramAppid === 'object' ? miniprogramAppid : { miniprogramAppid, appid }
    return this.control('approveLink', args)
  }

  rejectLink(miniprogramAppid, appid) {
    const args = typeof miniprogramAppid === 'object' ? miniprogramAppid : { miniprogramAppid, appid }
    return this.control('rejectLink', args)
  }

  /**
   * `{ componentAppid, authorizerAppid, permissionSets }` → `{ authorizationCode, expiresIn }` for component.queryAuth.
   * After `pushTicket`, the code also goes to the platform's push URL as an `authorized` push (`delivery`).
   */
  authorize(args) {
    return this.control('authorize', args)
  }

  /** The account withdraws its authorization (an `unauthorized` push follows when the push URL is known). */
  unauthorize(args) {
    return this.control('unauthorize', args)
  }

  /**
   * WeChat's ticket push: a fresh component_verify_ticket, encrypted with the platform's token and key, is POSTed
   * to `url` (which becomes the platform's push URL) and is from now on the only ticket WeChat accepts.
   * Resolves to `{ ticket, expiresIn, delivery: { status, answer } }`.
   */
  pushTicket(url, componentAppid) {
    return this.control('pushTicket', { url, componentAppid })
  }

  /** The authorizer's refresh token changes behind the platform's back: the stored one now answers 61023. */
  rotateRefreshToken(args) {
    return this.control('rotateRefreshToken', args)
  }

  /** Sets (or mints) a platform's component_verify_ticket: `{ ticket, expiresIn }`. */
  setTicket(componentAppid, ticket) {
    return this.control('setTicket', { componentAppid, ticket })
  }

  /** Moves the emulator's clock forward (token expiry and overlaps without sleeping). */
  advanceTime(seconds) {
    return this.control('advanceTime', { seconds })
  }

  /** `{ name, errcode?, errmsg?, delayMs?, afterExecute?, times? }`: fail or slow down the next calls. */
  injectFault(fault) {
    return this.control('injectFault', fault)
  }

  /** Pads every `printHtml` to at least `kb` KiB of HTML (large-answer tests and benchmarks). */
  setPrintHtmlSize(kb) {
    return this.control('setPrintHtmlSize', { kb })
  }

  /** An open-platform account made on the website: `{ openAppid?, subject?, createdByApi?, boundAppids? }` → `{ openAppid }`. */
  seedOpenAccount(args = {}) {
    return this.control('seedOpenAccount', args)
  }

  /** Sets the company (subject) an account belongs to; accounts of different subjects answer 89001. */
  setSubject(appid, subject) {
    return this.control('setSubject', { appid, subject })
  }

  /** Sets an account's daily limit for one endpoint (`namespace.method`); past it, calls answer 45009. */
  setDailyLimit(appid, name, limit) {
    return this.control('setDailyLimit', { appid, name, limit })
  }

  /** Drops the faults not yet used. */
  clearFaults() {
    return this.control('clearFaults')
  }

  /**
   * Random faults at set rates from a seeded generator: `{ seed, delayMs?, rates: { '*': { busy: 0.02, reset: 0.01 },
   * 'logistics.addOrder': { http502: 0.1 } } }`. Kinds: busy, http500, http502, reset, delay, malformedJson, truncated,
   * rateLimit, revokedToken. `clearFaults` (or rates `{}`) turns them off.
   */
  setFaultRates(config) {
    return this.control('setFaultRates', config)
  }

  /** How many faults of each kind `setFaultRates` has drawn. */
  faultStats() {
    return this.control('faultStats')
  }

  /** Executions of non-idempotent endpoints per `order_id`: `{ 'logistics.addOrder': { o1: 1 } }`; above 1 is a duplicate. */
  executionsByOrder(name) {
    return this.control('executionsByOrder', name === undefined ? {} : { name })
  }

  /** A stored order with its courier-side `deliveryToken`. */
  order(orderId, appid) {
    return this.control('order', { orderId, appid })
  }

  /** A debugging dump of everything the emulator holds, without secrets. */
  state() {
    return this.control('state')
  }
}

/**
 * Starts an emulator on 127.0.0.1.
 * @param {{ port?: number, apps?: { appid: string, secret: string, name?: string, subject?: string }[],
 *   tokenTtl?: number, components?: { appid: string, secret: string, token: string, encodingAesKey: string }[] }} options
 *   `port` 0 (default) picks a free port; without `apps`, one demo app (`DEMO_APP`) with two logistics accounts.
 */
async function startEmulator(options = {}) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError('startEmulator(options): options must be an object')
  }
  return new Emulator(await native.startEmulator(JSON.stringify(options)))
}

/** The demo app every emulator started without `apps` has. */
const DEMO_APP = Object.freeze({ appid: 'wxdemoappid0000001', secret: 'demoappsecret0000000000000000001' })

module.exports = { startEmulator, Emulator, DEMO_APP }
