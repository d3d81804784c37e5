'use strict'
// Catalogue cases for the long tail of cloud calls (issue 30), in the shape cases.js describes; cases.js spreads
// them into its own. Parameters are the official pages' examples wherever the pages give one.

const { APP } = require('./context.js')
const { expired } = require('./situations.js')
const { pngBytes, sha256 } = require('../helpers.js')

/** A resultJSON as wx.startSoterAuthentication returns it (the page's example fields). */
const SOTER_JSON = JSON.stringify({ raw: 'msg', fid: '2', counter: 123, tee_n: 'TEE Name', tee_v: 'TEE Version', fp_n: 'Fingerprint Sensor', fp_v: 'Version', cpu_id: 'CPU Id', uid: '21' })

/** An image case: what seedOcr holds for an uploaded PNG, the call with it, and the answer camelCased. */
function seededImage(api, salt, answer, expected, error) {
  const [, method] = api.split('.')
  return {
    setup: (ctx) => ctx.emu.seedOcr({ appid: APP.appid, api: method, sha256: sha256(pngBytes(salt)), answer }),
    happy: () => ({ img: { contentType: 'image/png', value: pngBytes(salt) } }),
    expect(res, { t }) {
      t.deepEqual(res, { ...expected, errMsg: `openapi.${api}:ok`, errCode: 0 })
    },
    error,
  }
}

/** 101001: an image in which nothing was seeded (no card or licence in it). */
const noCard = { params: () => ({ img: { contentType: 'image/png', value: pngBytes('a cat') } }), errCode: 101001 }
/** 101000: a URL WeChat could not download (nobody seeded it: the emulator never fetches). */
const badUrl = { params: { imgUrl: 'https://img.example/gone.jpg' }, errCode: 101000 }

const POS = { left_top: { x: 575, y: 519 }, right_top: { x: 895, y: 519 }, right_bottom: { x: 895, y: 838 }, left_bottom: { x: 575, y: 838 } }
const POS_CAMEL = { leftTop: { x: 575, y: 519 }, rightTop: { x: 895, y: 519 }, rightBottom: { x: 895, y: 838 }, leftBottom: { x: 575, y: 838 } }

module.exports = {
  'updatableMessage.createActivityId': {
    happy: () => ({}),
    async expect(res, ctx) {
      ctx.t.is(typeof res.activityId, 'string')
      ctx.t.true(res.expirationTime - Math.floor(Date.now() / 1000) > 86000, 'valid for 24 hours')
      const [made] = await ctx.emu.updatableMessages(APP.appid)
      ctx.t.like(made, { activityId: res.activityId, state: 0, expirationTime: res.expirationTime })
    },
    // 42001: a token older than its two hours.
    error: expired(),
  },

  'updatableMessage.setUpdatableMsg': {
    async setup(ctx) {
      ctx.activityId = (await ctx.openapi.updatableMessage.createActivityId({})).activityId
    },
    // The page's example: the message has started, opening the release version.
    happy: (ctx) => ({
      activityId: ctx.activityId,
      targetState: 1,
      templateInfo: { parameterList: [{ name: 'path', value: 'pages/index/index?foo=bar' }, { name: 'version_type', value: 'release' }] },
    }),
    async expect(res, ctx) {
      ctx.t.deepEqual(res, { errMsg: 'openapi.updatableMessage.setUpdatableMsg:ok', errCode: 0 })
      const [message] = await ctx.emu.updatableMessages(APP.appid)
      ctx.t.like(message, { state: 1, parameters: { path: 'pages/index/index?foo=bar', version_type: 'release' } })
    },
    // 47501: an activity id WeChat never made.
    error: { params: { activityId: 'not-an-activity', targetState: 0, templateInfo: { parameterList: [{ name: 'member_count', value: '1' }, { name: 'room_limit', value: '3' }] } }, errCode: 47501 },
  },

  'riskControl.getUserRiskRank': {
    async setup(ctx) {
      await ctx.emu.userVisited(ctx.user, APP.appid)
      await ctx.emu.setUserRiskRank(ctx.user, 2, APP.appid)
    },
    // The page's example (its bank_card_no and cert_no are not in its own table and are left out).
    happy: (ctx) => ({ appid: APP.appid, openid: ctx.user, scene: 1, mobileNo: '12345678', clientIp: '192.168.1.1', emailAddress: 'someone@qq.com', extendedInfo: '' }),
    expect(res, { t }) {
      t.is(res.riskRank, 2)
      t.true(Number.isInteger(res.unoinId), 'WeChat spells it unoin_id')
    },
    // 61010: the user has not opened the mini program in the last two hours.
    error: { params: (ctx) => ({ appid: APP.appid, openid: ctx.user, scene: 0, clientIp: '192.168.1.1' }), errCode: 61010 },
  },

  'soter.verifySignature': {
    async setup(ctx) {
      ctx.signature = await ctx.emu.soterSign(ctx.user, SOTER_JSON, APP.appid)
    },
    happy: (ctx) => ({ openid: ctx.user, jsonString: SOTER_JSON, jsonSignature: ctx.signature }),
    async expect(res, ctx) {
      ctx.t.is(res.isOk, true)
      const forged = await ctx.openapi.soter.verifySignature({ openid: ctx.user, jsonString: SOTER_JSON.replace('123', '124'), jsonSignature: ctx.signature })
      ctx.t.is(forged.isOk, false, 'a signature of other data is no error, just not ok')
    },
    // 40003: an openid that is no user of the account.
    error: { params: { openid: 'o-nobody', jsonString: SOTER_JSON, jsonSignature: 'x' }, errCode: 40003 },
  },

  // The pages' example answers.
  'ocr.bankcard': seededImage('ocr.bankcard', 'bankcard', { number: '24234234345234' }, { number: '24234234345234' }, noCard),

  'ocr.driverLicense': seededImage(
    'ocr.driverLicense',
    'driver',
    { id_num: '660601xxxxxxxx1234', name: '张三', sex: '男', nationality: '中国', address: '广东省东莞市xxxxx号', birth_date: '1990-12-21', issue_date: '2012-12-21', car_class: 'C1', valid_from: '2018-07-06', valid_to: '2020-07-01', official_seal: 'xx市公安局公安交通管理局' },
    { idNum: '660601xxxxxxxx1234', name: '张三', sex: '男', nationality: '中国', address: '广东省东莞市xxxxx号', birthDate: '1990-12-21', issueDate: '2012-12-21', carClass: 'C1', validFrom: '2018-07-06', validTo: '2020-07-01', officialSeal: 'xx市公安局公安交通管理局' },
    noCard,
  ),

  'ocr.vehicleLicense': seededImage(
    'ocr.vehicleLicense',
    'vehicle',
    { vehicle_type: '小型普通客车', owner: '东莞市xxxxx机械厂', addr: '广东省东莞市xxxxx号', use_character: '非营运', model: '江淮牌HFCxxxxxxx', vin: 'LJ166xxxxxxxx51', engine_num: 'J3xxxxx3', register_date: '2018-07-06', issue_date: '2018-07-01', plate_num_b: '粤xxxxx', record: '441xxxxxx3', passengers_num: '7人', total_quality: '2700kg', prepare_quality: '1995kg' },
    { vehicleType: '小型普通客车', owner: '东莞市xxxxx机械厂', addr: '广东省东莞市xxxxx号', useCharacter: '非营运', model: '江淮牌HFCxxxxxxx', vin: 'LJ166xxxxxxxx51', engineNum: 'J3xxxxx3', registerDate: '2018-07-06', issueDate: '2018-07-01', plateNumB: '粤xxxxx', record: '441xxxxxx3', passengersNum: '7人', totalQuality: '2700kg', prepareQuality: '1995kg' },
    badUrl,
  ),

  'ocr.businessLicense': seededImage(
    'ocr.businessLicense',
    'bizlicense',
    { reg_num: '123123', serial: '123123', legal_representative: '张三', enterprise_name: 'XX饮食店', type_of_organization: '个人经营', address: 'XX市XX区XX路XX号', type_of_enterprise: 'xxx', business_scope: '中型餐馆(不含凉菜、不含裱花蛋糕,不含生食海产品)。', registered_capital: '200万', paid_in_capital: '200万', valid_period: '2019年1月1日', registered_date: '2018年1月1日', cert_position: { pos: POS }, img_size: { w: 1080, h: 1437 } },
    { regNum: '123123', serial: '123123', legalRepresentative: '张三', enterpriseName: 'XX饮食店', typeOfOrganization: '个人经营', address: 'XX市XX区XX路XX号', typeOfEnterprise: 'xxx', businessScope: '中型餐馆(不含凉菜、不含裱花蛋糕,不含生食海产品)。', registeredCapital: '200万', paidInCapital: '200万', validPeriod: '2019年1月1日', registeredDate: '2018年1月1日', certPosition: { pos: POS_CAMEL }, imgSize: { w: 1080, h: 1437 } },
    noCard,
  ),

  'img.aiCrop': seededImage(
    'img.aiCrop',
    'crop',
    { results: [{ crop_left: 112, crop_top: 0, crop_right: 839, crop_bottom: 727 }, { crop_left: 0, crop_top: 0, crop_right: 727, crop_bottom: 727 }], img_size: { w: 966, h: 728 } },
    { results: [{ cropLeft: 112, cropTop: 0, cropRight: 839, cropBottom: 727 }, { cropLeft: 0, cropTop: 0, cropRight: 727, cropBottom: 727 }], imgSize: { w: 966, h: 728 } },
    // 101002: bytes that are no image.
    { params: () => ({ img: { contentType: 'image/png', value: Buffer.from('not an image') } }), errCode: 101002 },
  ),

  'img.scanQRCode': seededImage(
    'img.scanQRCode',
    'codes',
    { code_results: [{ type_name: 'QR_CODE', data: 'http://www.qq.com', pos: POS }, { type_name: 'EAN_13', data: '5906789678957', pos: POS }], img_size: { w: 1000, h: 900 } },
    { codeResults: [{ typeName: 'QR_CODE', data: 'http://www.qq.com', pos: POS_CAMEL }, { typeName: 'EAN_13', data: '5906789678957', pos: POS_CAMEL }], imgSize: { w: 1000, h: 900 } },
    badUrl,
  ),
}
