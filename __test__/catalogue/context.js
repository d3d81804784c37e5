'use strict'
// The world a catalogue test runs in: its own emulator (ava runs tests concurrently, and many cases revoke
// tokens or count requests), a client of the mini program APP, and the few steps several cases share
// (placing an order, a client whose token WeChat has revoked, the third-party platform's tokens).

const path = require('node:path')
const cloud = require('../..')

const APP = { appid: 'wxcatalogue0000001', secret: 'catalogue-secret-000000000000001' }
/** Same subject as APP (the emulator's default), so it may join APP's open-platform account. */
const SHOP_B = { appid: 'wxcatalogue0000002', secret: 'catalogue-secret-000000000000002' }
/** Another company: binding it to APP's open-platform account is "not same contractor" (89001). */
const FOREIGN = { appid: 'wxcatalogue0000003', secret: 'catalogue-secret-000000000000003', subject: 'Other Co.' }
const COMPONENT = {
  appid: 'wxcatcomponent0001',
  secret: 'catalogue-component-secret-00001',
  token: 'msgtoken',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
}
const MERCHANT = 'wxcatmerchant00001'
const MINIPROGRAM = 'wxcatminiprogram01'
/** The sandbox pair: orders need no bound account and take tracking events from testUpdateOrder. */
const SANDBOX = { deliveryId: 'TEST', bizId: 'test_biz_id' }

/** The endpoint table, as the repository ships it. */
const TABLE = require(path.join(__dirname, '..', '..', 'api', 'endpoints.json'))

/** A complete addOrder request in wx-server-sdk's camelCase. */
function orderParams(openid, orderId, { deliveryId = SANDBOX.deliveryId, bizId = SANDBOX.bizId, serviceType = 1 } = {}) {
  return {
    orderId,
    openid,
    deliveryId,
    bizId,
    addSource: 0,
    sender: { name: '张三', mobile: '13800000000', province: '广东省', city: '广州市', area: '天河区', address: '1号' },
    receiver: { name: '李四', mobile: '13900000000', province: '北京市', city: '北京市', area: '朝阳区', address: '2号' },
    cargo: { count: 1, weight: 1.2, spaceX: 10, spaceY: 10, spaceZ: 10, detailList: [{ name: '书', count: 1 }] },
    shop: { wxaPath: '/pages/order', imgUrl: 'https://img.example/x.png', goodsName: '书', goodsCount: 1 },
    insured: { useInsured: 0, insuredValue: 0 },
    service: { serviceType, serviceName: `service ${serviceType}` },
  }
}

/** What the logistics components register: a waybill for a user, with the goods to show. */
function registerParams(openid, waybillId, goodsName = '书') {
  return {
    openid,
    receiverPhone: '13900000000',
    waybillId,
    transId: '4200000001',
    orderDetailPath: '/pages/order',
    goodsInfo: { detailList: [{ goodsName, goodsImgUrl: 'https://img.example/1.png' }] },
  }
}

class Context {
  constructor(t, emu) {
    this.t = t
    this.emu = emu
    this.client = cloud.createClient({ ...APP, apiBase: emu.url })
    this.openapi = this.client.openapi
    /** Without credentials: enough for the rows that take no token. */
    this.anonymous = cloud.createClient({ apiBase: emu.url })
  }

  static async start(t) {
    const emu = await cloud.startEmulator({ port: 0, apps: [APP, SHOP_B, FOREIGN], components: [COMPONENT] })
    t.teardown(() => emu.close())
    const ctx = new Context(t, emu)
    ctx.openids = await emu.openids(APP.appid)
    ctx.user = ctx.openids[0]
    return ctx
  }

  /** A client of another configured account. */
  clientOf(app) {
    return cloud.createClient({ appid: app.appid, secret: app.secret, apiBase: this.emu.url })
  }

  /** A client holding a fixed token: `accessToken` is used as given and never renewed. */
  fixedClient(accessToken) {
    return cloud.createClient({ accessToken, apiBase: this.emu.url })
  }

  /**
   * A client of APP whose fixed token WeChat has since revoked: its calls answer 40001 (a client with the
   * secret would renew the token and retry, so the error is only visible with a fixed token).
   */
  async revokedClient() {
    const { accessToken } = await this.anonymous.openapi.auth.getStableAccessToken({ grantType: 'client_credential', ...APP })
    await this.emu.revokeToken(APP.appid)
    return this.fixedClient(accessToken)
  }

  /** Places a sandbox (or, with options, a real-account or scatter) order; returns addOrder's answer. */
  async placeOrder(orderId, options) {
    return this.openapi.logistics.addOrder(orderParams(this.user, orderId, options))
  }

  /** The courier-side token of an order, as the express company receives it with the order event. */
  async deliveryToken(orderId) {
    return (await this.emu.order(orderId, APP.appid)).deliveryToken
  }

  /** A scatter (cash) order with SF: the courier's calls act on it through its token. */
  async scatterOrder(orderId = 'scatter-1') {
    const added = await this.placeOrder(orderId, { deliveryId: 'SF', bizId: 'SF_CASH', serviceType: 0 })
    return { waybillId: added.waybillId, token: await this.deliveryToken(orderId) }
  }

  /** The platform's component_access_token, through the row itself (it takes no token). */
  async componentToken() {
    if (!this._componentToken) {
      const { ticket } = await this.emu.setTicket(COMPONENT.appid)
      const res = await this.anonymous.openapi.component.getComponentAccessToken({
        componentAppid: COMPONENT.appid,
        componentAppsecret: COMPONENT.secret,
        componentVerifyTicket: ticket,
      })
      this._componentToken = res.componentAccessToken
    }
    return this._componentToken
  }

  /**
   * The platform's own calls. The client's third-party mode is another engineer's work, so these go through
   * `openapi.request` of a client whose fixed token is the component token (the emulator, like WeChat's newer
   * pages, takes it as `access_token`).
   */
  async componentCall(name, data) {
    const row = TABLE.find((r) => r.name === name)
    const client = this.fixedClient(await this.componentToken())
    return client.openapi.request({ method: row.http, path: row.path, data })
  }

  /** MERCHANT authorizes the platform for `permissionSets`; returns queryAuth's authorizationInfo. */
  async authorizeMerchant(permissionSets = [45]) {
    const { authorizationCode } = await this.emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets })
    const res = await this.componentCall('component.queryAuth', { componentAppid: COMPONENT.appid, authorizationCode })
    return res.authorizationInfo
  }

  /** A client acting for MERCHANT with its authorizer token. */
  async merchantClient(permissionSets = [45]) {
    const info = await this.authorizeMerchant(permissionSets)
    return this.fixedClient(info.authorizerAccessToken)
  }

  /**
   * A client in third-party platform mode (it fetches the component token itself), its store holding the
   * ticket WeChat pushed. Cases that use it never use `componentCall` (a second component token replaces the first).
   */
  async platform() {
    if (!this._platform) {
      const { ticket } = await this.emu.setTicket(COMPONENT.appid)
      this.ticket = ticket
      const data = new Map([[`wechat-openapi:{${COMPONENT.appid}}:component_verify_ticket`, ticket]])
      const store = {
        get: async (key) => (data.has(key) ? data.get(key) : null),
        set: async (key, value) => void data.set(key, value),
        del: async (key) => void data.delete(key),
      }
      this._platform = cloud.createClient({ ...APP, component: COMPONENT, apiBase: this.emu.url, store })
    }
    return this._platform
  }

  /** MERCHANT authorizes the platform client for `permissionSets`; resolves to a caller acting for MERCHANT. */
  async platformMerchant(permissionSets) {
    const platform = await this.platform()
    const { authorizationCode } = await this.emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets })
    await platform.component.queryAuth(authorizationCode)
    return { openapi: platform.openapi({ appid: MERCHANT }) }
  }

  /** Makes the next `times` calls of `name` answer `errcode` before they run. */
  fault(name, errcode, times = 1) {
    return this.emu.injectFault({ name, errcode, times })
  }
}

module.exports = {
  cloud,
  Context,
  TABLE,
  APP,
  SHOP_B,
  FOREIGN,
  COMPONENT,
  MERCHANT,
  MINIPROGRAM,
  SANDBOX,
  orderParams,
  registerParams,
}
