'use strict'
// The two measured endpoints and the state they need: a small answer (getAllAccount) and a large one
// (batchGetOrder over 100 orders whose waybill HTML is padded, about 1 MB of JSON).

const ORDERS = 100
const ENDPOINTS = {
  small: { api: 'logistics.getAllAccount', verb: 'GET', path: '/cgi-bin/express/business/account/getall' },
  large: { api: 'logistics.batchGetOrder', verb: 'POST', path: '/cgi-bin/express/business/order/batchget' },
}

/** Creates the orders (sandbox pair TEST / test_biz_id) and pads print_html; returns each endpoint's params. */
async function prepare(emu, { appid }, { htmlKb = 8 } = {}) {
  await emu.control('setPrintHtmlSize', { kb: htmlKb })
  // WeChat's daily quota (100 000 calls) would end a long run with 45009.
  for (const { api } of Object.values(ENDPOINTS)) await emu.control('setDailyLimit', { appid, name: api, limit: 1e15 })
  const { openids } = await emu.control('openids', { appid })
  const token = await stableToken(emu.url, appid)
  const orderList = []
  for (let n = 0; n < ORDERS; n++) {
    const orderId = `bench-${n}`
    const res = await post(`${emu.url}/cgi-bin/express/business/order/add?access_token=${token}`, orderBody(openids[0], orderId))
    // 9300501: the order exists already (a reused emulator); anything else is a broken setup.
    if (res.errcode && res.errcode !== 9300501) throw new Error(`addOrder: ${res.errcode} ${res.errmsg}`)
    orderList.push({ orderId, deliveryId: 'TEST' })
  }
  const snakeList = orderList.map((o) => ({ order_id: o.orderId, delivery_id: o.deliveryId }))
  const wire = JSON.stringify({ order_list: snakeList })
  const sample = await fetch(`${emu.url}${ENDPOINTS.large.path}?access_token=${token}`, { method: 'POST', body: wire })
  return {
    token,
    largeBytes: (await sample.arrayBuffer()).byteLength,
    small: { params: {}, wire: null },
    large: { params: { orderList }, wire },
  }
}

async function stableToken(url, appid) {
  const { secret } = require('./emulator-process.js').APP
  const res = await post(`${url}/cgi-bin/stable_token`, { grant_type: 'client_credential', appid, secret, force_refresh: false })
  if (!res.access_token) throw new Error(`stable_token: ${res.errcode} ${res.errmsg}`)
  return res.access_token
}

async function post(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return res.json()
}

function orderBody(openid, orderId) {
  return {
    order_id: orderId, openid, delivery_id: 'TEST', biz_id: 'test_biz_id', add_source: 0,
    sender: { name: '张三', mobile: '13800000000', province: '广东省', city: '广州市', area: '天河区', address: '1号' },
    receiver: { name: '李四', mobile: '13900000000', province: '北京市', city: '北京市', area: '朝阳区', address: '2号' },
    cargo: { count: 1, weight: 1.2, space_x: 10, space_y: 10, space_z: 10, detail_list: [{ name: '书', count: 1 }] },
    shop: { wxa_path: '/pages/order', img_url: 'https://img/x.png', goods_name: '书', goods_count: 1 },
    insured: { use_insured: 0, insured_value: 0 },
    service: { service_type: 1, service_name: 'test service type 1' },
  }
}

module.exports = { ENDPOINTS, ORDERS, prepare }
