'use strict'
// The passive replies a courier's server gives WeChat for the events it is pushed (add_waybill, cancel_waybill,
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
  const out = {
    ToUserName: event.FromUserName,
    FromUserName: event.ToUserName,
    CreateTime: Math.floor(Date.now() / 1000),
    MsgType: 'event',
    Event: event.Event,
  }
  for (const name of ECHOED[event.Event.toLowerCase()] || []) if (event[name] !== undefined) out[name] = event[name]
  out.ResultCode = answer.resultCode
  out.ResultMsg = answer.resultMsg === undefined ? (answer.resultCode === 0 ? 'ok' : 'error') : String(answer.resultMsg)
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) out[name] = value
  return passive(out)
}

const replies = {
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
