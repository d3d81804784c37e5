'use strict'
// A sandbox order (WeChat's TEST company, test_biz_id) placed by `client`, and a way to add path events to it
// with logistics.testUpdateOrder: what makes the emulator push add_express_path.

/**
 * `company`: another company and account than the sandbox's (then `event` does not apply: WeChat refuses it).
 * @returns {Promise<{ waybillId: string, openid: string, event: (actionType: number, actionMsg: string) => Promise<object> }>}
 */
async function sandboxOrder(client, emu, appid, orderId, company = { deliveryId: 'TEST', bizId: 'test_biz_id', serviceType: 1 }) {
  const [openid] = await emu.openids(appid)
  const { deliveryId, bizId, serviceType } = company
  const added = await client.openapi.logistics.addOrder({
    orderId, openid, deliveryId, bizId, addSource: 0,
    sender: { name: '张三', mobile: '13800000000', province: '广东省', city: '广州市', area: '天河区', address: '1号' },
    receiver: { name: '李四', mobile: '13900000000', province: '北京市', city: '北京市', area: '朝阳区', address: '2号' },
    cargo: { count: 1, weight: 1.2, spaceX: 10, spaceY: 10, spaceZ: 10, detailList: [{ name: '书', count: 1 }] },
    shop: { wxaPath: '/pages/order', imgUrl: 'https://img/x.png', goodsName: '书', goodsCount: 1 },
    insured: { useInsured: 0, insuredValue: 0 },
    service: { serviceType, serviceName: `service type ${serviceType}` },
  })
  const event = (actionType, actionMsg) => client.openapi.logistics.testUpdateOrder({
    bizId: 'test_biz_id', orderId, deliveryId: 'TEST', waybillId: added.waybillId, actionTime: Math.floor(Date.now() / 1000), actionType, actionMsg,
  })
  return { waybillId: added.waybillId, openid, event }
}

module.exports = { sandboxOrder }
