'use strict'
// Catalogue cases for the official account's rows (issue 29, part 2): one happy path with real values and one
// documented error each, through the real addon against the emulator (see cases.js for the shape).

const { APP } = require('./context.js')

const oa = (ctx) => ctx.openapi.officialAccount
const BUTTON = [{ type: 'click', name: '今日歌曲', key: 'V1001_TODAY_MUSIC' }]
/** Setup: a default menu, which conditional menus need. */
const withMenu = (ctx) => oa(ctx).menu.create({ button: BUTTON })
/** Setup: a tag `ctx.tag` with the first user in it. */
async function withTag(ctx) {
  ctx.tag = (await oa(ctx).tags.create({ tag: { name: '星标用户' } })).tag
  await oa(ctx).tags.batchTagging({ openidList: [ctx.user], tagid: ctx.tag.id })
}
/** Setup: a template of the account, `ctx.templateId`, with keys first and remark. */
async function withTemplate(ctx) {
  ctx.templateId = await ctx.emu.addOfficialTemplate({ appid: APP.appid, title: '订单支付成功', keys: ['first', 'remark'] })
}
const data = { first: { value: '您好' }, remark: { value: '欢迎再次光临' } }
const ok = (name) => ({ errMsg: `openapi.${name}:ok`, errCode: 0 })

module.exports = {
  'officialAccount.menu.create': {
    happy: () => ({ button: BUTTON }),
    async expect(res, ctx) {
      ctx.t.deepEqual(res, ok('officialAccount.menu.create'))
      ctx.t.like((await oa(ctx).menu.get({})).menu.button[0], { type: 'click', name: '今日歌曲', key: 'V1001_TODAY_MUSIC' })
    },
    // 40017: a button type WeChat does not have.
    error: { params: { button: [{ type: 'teleport', name: 'x', key: 'k' }] }, errCode: 40017 },
  },

  'officialAccount.menu.get': {
    setup: withMenu,
    happy: () => ({}),
    expect(res, ctx) {
      ctx.t.deepEqual(res.menu.button, [{ ...BUTTON[0], subButton: [] }])
    },
    absent: ['conditionalmenu'],
    // 46003: no menu yet.
    error: { params: {}, errCode: 46003 },
  },

  'officialAccount.menu.delete': {
    setup: withMenu,
    happy: () => ({}),
    async expect(res, ctx) {
      ctx.t.deepEqual(res, ok('officialAccount.menu.delete'))
      ctx.t.is((await ctx.t.throwsAsync(oa(ctx).menu.get({}))).errCode, 46003, 'the menu is gone')
    },
    // The row documents no code of its own: a revoked token, WeChat's most common failure.
    error: require('./situations.js').revoked(),
  },

  'officialAccount.menu.addConditional': {
    async setup(ctx) {
      await withMenu(ctx)
      await withTag(ctx)
    },
    happy: (ctx) => ({ button: BUTTON, matchrule: { tagId: String(ctx.tag.id) } }),
    async expect(res, ctx) {
      ctx.t.regex(res.menuid, /^\d+$/)
      ctx.t.is((await oa(ctx).menu.get({})).conditionalmenu[0].menuid, Number(res.menuid))
    },
    // 65303: no default menu to be conditional on.
    error: { params: { button: BUTTON, matchrule: { tagId: '2' } }, errCode: 65303 },
  },

  'officialAccount.menu.delConditional': {
    async setup(ctx) {
      await withMenu(ctx)
      await withTag(ctx)
      ctx.menuid = (await oa(ctx).menu.addConditional({ button: BUTTON, matchrule: { tagId: String(ctx.tag.id) } })).menuid
    },
    happy: (ctx) => ({ menuid: ctx.menuid }),
    async expect(res, ctx) {
      ctx.t.deepEqual(res, ok('officialAccount.menu.delConditional'))
      ctx.t.is((await oa(ctx).menu.get({})).conditionalmenu, undefined)
    },
    // 65301: no such conditional menu.
    error: { params: { menuid: '1' }, errCode: 65301 },
  },

  'officialAccount.menu.tryMatch': {
    async setup(ctx) {
      await withMenu(ctx)
      await withTag(ctx)
      await oa(ctx).menu.addConditional({ button: [{ type: 'click', name: '星标', key: 'STAR' }], matchrule: { tagId: String(ctx.tag.id) } })
    },
    happy: (ctx) => ({ userId: ctx.user }),
    expect(res, ctx) {
      ctx.t.is(res.button[0].key, 'STAR', 'the tagged user gets the conditional menu')
    },
    // 40003: not a follower.
    error: { setup: withMenu, params: { userId: 'o-nobody-000000000000000000' }, errCode: 40003 },
  },

  'officialAccount.messageTemplate.send': {
    setup: withTemplate,
    happy: (ctx) => ({ touser: ctx.user, templateId: ctx.templateId, url: 'https://example.com/order/1', data }),
    async expect(res, ctx) {
      ctx.t.true(Number.isInteger(Number(res.msgid)))
      const sent = await ctx.emu.sentTemplateMessages({ appid: APP.appid })
      ctx.t.like(sent[0], { touser: ctx.user, templateId: ctx.templateId })
    },
    // 40037: no such template.
    error: { params: (ctx) => ({ touser: ctx.user, templateId: 'nope', data }), errCode: 40037 },
  },

  'officialAccount.messageTemplate.addTemplate': {
    setup: (ctx) => ctx.emu.seedTemplateLibrary({ appid: APP.appid, templateIdShort: 'TM00015', title: '订单支付成功', keys: ['first', 'remark'] }),
    happy: () => ({ templateIdShort: 'TM00015' }),
    async expect(res, ctx) {
      ctx.t.is(typeof res.templateId, 'string')
      const { templateList } = await oa(ctx).messageTemplate.getAllTemplates({})
      ctx.t.is(templateList[0].templateId, res.templateId)
    },
    // 40220: a library template that does not exist.
    error: { params: { templateIdShort: 'TM99999' }, errCode: 40220 },
  },

  'officialAccount.messageTemplate.getAllTemplates': {
    setup: withTemplate,
    happy: () => ({}),
    expect(res, ctx) {
      ctx.t.like(res.templateList[0], { templateId: ctx.templateId, title: '订单支付成功', content: '{{first.DATA}}\n{{remark.DATA}}' })
    },
    error: require('./situations.js').revoked(),
  },

  'officialAccount.messageTemplate.deleteTemplate': {
    setup: withTemplate,
    happy: (ctx) => ({ templateId: ctx.templateId }),
    async expect(res, ctx) {
      ctx.t.deepEqual(res, ok('officialAccount.messageTemplate.deleteTemplate'))
      ctx.t.deepEqual((await oa(ctx).messageTemplate.getAllTemplates({})).templateList, [])
    },
    // 40037: no such template.
    error: { params: { templateId: 'nope' }, errCode: 40037 },
  },

  'officialAccount.messageTemplate.setIndustry': {
    happy: () => ({ industryId1: '1', industryId2: '4' }),
    async expect(res, ctx) {
      ctx.t.deepEqual(res, ok('officialAccount.messageTemplate.setIndustry'))
      ctx.t.is((await oa(ctx).messageTemplate.getIndustry({})).primaryIndustry.firstClass, '1')
    },
    // 43100: changed again within a month.
    error: { setup: (ctx) => oa(ctx).messageTemplate.setIndustry({ industryId1: '1', industryId2: '4' }), params: { industryId1: '2', industryId2: '4' }, errCode: 43100 },
  },

  'officialAccount.messageTemplate.getIndustry': {
    setup: (ctx) => oa(ctx).messageTemplate.setIndustry({ industryId1: '1', industryId2: '4' }),
    happy: () => ({}),
    expect(res, ctx) {
      ctx.t.is(res.primaryIndustry.firstClass, '1')
      ctx.t.is(res.secondaryIndustry.firstClass, '4')
    },
    error: require('./situations.js').revoked(),
  },

  'officialAccount.qrcode.create': {
    happy: () => ({ expireSeconds: 600, actionName: 'QR_SCENE', actionInfo: { scene: { sceneId: 2024 } } }),
    async expect(res, ctx) {
      ctx.t.is(res.expireSeconds, 600)
      ctx.t.is(typeof res.ticket, 'string')
      const image = await fetch(`${ctx.emu.url}/cgi-bin/showqrcode?ticket=${encodeURIComponent(res.ticket)}`)
      ctx.t.is(image.headers.get('content-type'), 'image/png')
    },
    // 40097: a permanent scene id out of range.
    error: { params: { actionName: 'QR_LIMIT_SCENE', actionInfo: { scene: { sceneId: 1000000 } } }, errCode: 40097 },
  },

  'officialAccount.tags.create': {
    happy: () => ({ tag: { name: '广东' } }),
    async expect(res, ctx) {
      ctx.t.is(res.tag.name, '广东')
      ctx.t.true(res.tag.id >= 100)
      ctx.t.like((await oa(ctx).tags.get({})).tags[0], { id: res.tag.id, name: '广东', count: 0 })
    },
    // 45157: the name is taken.
    error: { setup: (ctx) => oa(ctx).tags.create({ tag: { name: '广东' } }), params: { tag: { name: '广东' } }, errCode: 45157 },
  },

  'officialAccount.tags.get': {
    setup: withTag,
    happy: () => ({}),
    expect(res, ctx) {
      ctx.t.deepEqual(res.tags, [{ id: ctx.tag.id, name: '星标用户', count: 1 }])
    },
    error: require('./situations.js').revoked(),
  },

  'officialAccount.tags.update': {
    setup: withTag,
    happy: (ctx) => ({ tag: { id: ctx.tag.id, name: '老用户' } }),
    async expect(res, ctx) {
      ctx.t.deepEqual(res, ok('officialAccount.tags.update'))
      ctx.t.is((await oa(ctx).tags.get({})).tags[0].name, '老用户')
    },
    // 45058: WeChat's own tags cannot be changed.
    error: { params: { tag: { id: 2, name: 'x' } }, errCode: 45058 },
  },

  'officialAccount.tags.delete': {
    setup: withTag,
    happy: (ctx) => ({ tag: { id: ctx.tag.id } }),
    async expect(res, ctx) {
      ctx.t.deepEqual(res, ok('officialAccount.tags.delete'))
      ctx.t.deepEqual((await oa(ctx).tags.getIdList({ openid: ctx.user })).tagidList, [], 'untagged too')
    },
    // 45159: no such tag.
    error: { params: { tag: { id: 999 } }, errCode: 45159 },
  },

  'officialAccount.tags.batchTagging': {
    async setup(ctx) {
      ctx.tag = (await oa(ctx).tags.create({ tag: { name: '星标用户' } })).tag
    },
    happy: (ctx) => ({ openidList: [ctx.openids[0], ctx.openids[1]], tagid: ctx.tag.id }),
    async expect(res, ctx) {
      ctx.t.deepEqual(res, ok('officialAccount.tags.batchTagging'))
      ctx.t.is((await oa(ctx).tags.get({})).tags[0].count, 2)
    },
    // 40003: an openid that is not a follower.
    error: { setup: withTag, params: (ctx) => ({ openidList: ['o-nobody-000000000000000000'], tagid: ctx.tag.id }), errCode: 40003 },
  },

  'officialAccount.tags.batchUntagging': {
    setup: withTag,
    happy: (ctx) => ({ openidList: [ctx.user], tagid: ctx.tag.id }),
    async expect(res, ctx) {
      ctx.t.deepEqual(res, ok('officialAccount.tags.batchUntagging'))
      ctx.t.deepEqual((await oa(ctx).tags.getIdList({ openid: ctx.user })).tagidList, [])
    },
    // 40032: an empty list.
    error: { setup: withTag, params: (ctx) => ({ openidList: [], tagid: ctx.tag.id }), errCode: 40032 },
  },

  'officialAccount.tags.getIdList': {
    setup: withTag,
    happy: (ctx) => ({ openid: ctx.user }),
    expect(res, ctx) {
      ctx.t.deepEqual(res.tagidList, [ctx.tag.id])
    },
    // 40003: not a follower.
    error: { params: { openid: 'o-nobody-000000000000000000' }, errCode: 40003 },
  },

  'officialAccount.user.info': {
    setup: withTag,
    happy: (ctx) => ({ openid: ctx.user, lang: 'zh_CN' }),
    expect(res, ctx) {
      ctx.t.like(res, { subscribe: 1, openid: ctx.user, language: 'zh_CN', tagidList: [ctx.tag.id] })
    },
    absent: ['unionid'],
    // 40003: not a follower.
    error: { params: { openid: 'o-nobody-000000000000000000' }, errCode: 40003 },
  },

  'officialAccount.user.batchGetInfo': {
    happy: (ctx) => ({ userList: [{ openid: ctx.openids[0] }, { openid: ctx.openids[1], lang: 'en' }] }),
    expect(res, ctx) {
      ctx.t.deepEqual(res.userInfoList.map((u) => [u.openid, u.language]), [[ctx.openids[0], 'zh_CN'], [ctx.openids[1], 'en']])
    },
    // 40032: an empty list.
    error: { params: { userList: [] }, errCode: 40032 },
  },

  'officialAccount.user.getList': {
    happy: () => ({}),
    expect(res, ctx) {
      ctx.t.is(res.total, ctx.openids.length)
      ctx.t.deepEqual([...res.data.openid].sort(), [...ctx.openids].sort())
      ctx.t.is(res.nextOpenid, res.data.openid.at(-1))
    },
    // 40003: a nextOpenid that is not a follower.
    error: { params: { nextOpenid: 'o-nobody-000000000000000000' }, errCode: 40003 },
  },
}
