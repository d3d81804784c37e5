'use strict'
// The passive replies an official account gives its users (text, image, voice, video, music, news) and those a
// courier's server gives WeChat for the events it is pushed (add_waybill, cancel_waybill,
// check_biz, get_quota): the request's To/From swapped, the same Event, the fields WeChat wants echoed, and
// ResultCode/ResultMsg. Return one from the event's listener and the handler sends it back in the push's own
// format, encrypted when the push was.

const { makeError } = require('./errors.js')

// Marks what these builders made: only a marked value a listener returns is sent back, so a listener that happens
// to return something else (a database row, a boolean) never becomes WeChat's answer.
const REPLY = Symbol('wechat-openapi passive reply')

/** Marks `fields` (WeChat's names) as a passive reply. */
function passive(fields) {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    throw makeError('push.replies.passive', 'invalid-argument', 'a reply is an object of WeChat fields')
  }
  Object.defineProperty(fields, REPLY, { value: true, enumerable: false })
  return fields
}

function isReply(value) {
  return value !== null && typeof value === 'object' && value[REPLY] === true
}

/** What each event's reply echoes from the request (the official pages' "请原样返回" fields). */
const ECHOED = {
  add_waybill: ['BizID', 'OrderID'],
  cancel_waybill: ['BizID', 'OrderID', 'WayBillID'],
  check_biz: ['BizID'],
  get_quota: ['BizID'],
}

function reply(api, event, answer, extra) {
  if (event === null || typeof event !== 'object' || typeof event.Event !== 'string') {
    throw makeError(`push.replies.${api}`, 'invalid-argument', 'the first argument is the pushed event')
  }
  if (answer === null || typeof answer !== 'object' || !Number.isInteger(answer.resultCode)) {
    throw makeError(`push.replies.${api}`, 'invalid-argument', 'resultCode must be a whole number (0: success)')
  }
  const out = { ...envelope(event, 'event'), Event: event.Event }
  for (const name of ECHOED[event.Event.toLowerCase()] || []) if (event[name] !== undefined) out[name] = event[name]
  out.ResultCode = answer.resultCode
  out.ResultMsg = answer.resultMsg === undefined ? (answer.resultCode === 0 ? 'ok' : 'error') : String(answer.resultMsg)
  return passive({ ...out, ...given(extra) })
}

/** What every passive reply starts with: the request's To and From swapped, now, and its MsgType. */
function envelope(event, msgType) {
  return { ToUserName: event.FromUserName, FromUserName: event.ToUserName, CreateTime: Math.floor(Date.now() / 1000), MsgType: msgType }
}

/** An official account's passive reply to a user's message or event: To/From swapped, MsgType and its fields. */
function message(api, event, msgType, fields) {
  if (event === null || typeof event !== 'object' || typeof event.FromUserName !== 'string' || typeof event.ToUserName !== 'string') {
    throw makeError(`push.replies.${api}`, 'invalid-argument', 'the first argument is the pushed message or event')
  }
  return passive({ ...envelope(event, msgType), ...fields })
}

/** A required non-empty string option, named in the error. */
function text(api, value, name) {
  if (typeof value !== 'string' || value === '') throw makeError(`push.replies.${api}`, 'invalid-argument', `${name} must be a non-empty string`)
  return value
}

/** Only the options given (WeChat's optional elements are left out, not sent empty). */
function given(fields) {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
}

const officialReplies = {
  /** A text message (`content`, at most 2048 bytes by WeChat's page). */
  text(event, content) {
    return message('text', event, 'text', { Content: text('text', content, 'content') })
  },
  /** An image by its media id (media.upload or a permanent material). */
  image(event, mediaId) {
    return message('image', event, 'image', { Image: { MediaId: text('image', mediaId, 'mediaId') } })
  },
  voice(event, mediaId) {
    return message('voice', event, 'voice', { Voice: { MediaId: text('voice', mediaId, 'mediaId') } })
  },
  /** A video: `{ mediaId, title?, description? }`. */
  video(event, { mediaId, title, description } = {}) {
    return message('video', event, 'video', { Video: given({ MediaId: text('video', mediaId, 'mediaId'), Title: title, Description: description }) })
  },
  /** Music: `{ thumbMediaId, title?, description?, musicUrl?, hqMusicUrl? }`. */
  music(event, { thumbMediaId, title, description, musicUrl, hqMusicUrl } = {}) {
    const fields = { Title: title, Description: description, MusicUrl: musicUrl, HQMusicUrl: hqMusicUrl, ThumbMediaId: text('music', thumbMediaId, 'thumbMediaId') }
    return message('music', event, 'music', { Music: given(fields) })
  },
  /** One article card: `[{ title, description?, picUrl?, url? }]` (WeChat shows one; the page allows at most 8). */
  news(event, articles) {
    if (!Array.isArray(articles) || articles.length < 1 || articles.length > 8) {
      throw makeError('push.replies.news', 'invalid-argument', 'articles must be an array of 1 to 8 { title, description, picUrl, url }')
    }
    const item = articles.map((a, i) => given({ Title: text('news', a && a.title, `articles[${i}].title`), Description: a.description, PicUrl: a.picUrl, Url: a.url }))
    return message('news', event, 'news', { ArticleCount: item.length, Articles: { item } })
  },
}

const replies = {
  ...officialReplies,
  /** Any passive reply, WeChat's fields as given (for events without a builder here). */
  passive,
  /** add_waybill: `wayBillId` (the waybill the courier made, when WayBillID was "0") and `waybillData`. */
  addWaybill(event, answer = {}) {
    return reply('addWaybill', event, answer, { WayBillID: answer.wayBillId ?? event.WayBillID, WaybillData: answer.waybillData })
  },
  cancelWaybill(event, answer = {}) {
    return reply('cancelWaybill', event, answer, {})
  },
  /** check_biz: `quota`, the merchant's remaining waybills (0: none). */
  checkBiz(event, answer = {}) {
    return reply('checkBiz', event, answer, { Quota: answer.quota ?? 0 })
  },
  getQuota(event, answer = {}) {
    return reply('getQuota', event, answer, { Quota: answer.quota ?? 0 })
  },
}

module.exports = { replies, isReply }
