'use strict'
// cloud.crypto: WeChat's message encryption (WXBizMsgCrypt) for your own message handlers, over the Rust
// implementation the SDK uses for its pushes. Interoperable with wechatpy and Tencent's samples.
//
//   const mc = new cloud.crypto.MsgCrypt({ token, encodingAesKey, appid, previousEncodingAesKey })
//   const xml = mc.decryptPush({ query: req.query, body })      // verifies msg_signature first

const native = require('./binding.js')
const { makeError, callNative } = require('./errors.js')
const { normalizeQuery } = require('./query.js')

function fail(api, text) {
  return makeError(`crypto.${api}`, 'invalid-argument', text)
}

/** Runs a native call; what it throws (already named `crypto.<method>` by the core) becomes an OpenApiError. */
function guard(api, fn) {
  return callNative(`crypto.${api}`, fn)
}

function str(api, name, value, optional = false) {
  if (value === undefined && optional) return undefined
  if (typeof value !== 'string' || value === '') throw fail(api, `${name} must be a non-empty string`)
  return value
}

function nowAndNonce(options) {
  const timestamp = options.timestamp !== undefined ? String(options.timestamp) : String(Math.floor(Date.now() / 1000))
  const nonce = options.nonce !== undefined ? String(options.nonce) : String(Math.floor(Math.random() * 1e10))
  return { timestamp, nonce }
}

/** The native handle for `options`, checked first. */
function openNative(options) {
  if (options === null || typeof options !== 'object') throw fail('MsgCrypt', 'options must be { token, encodingAesKey, appid }')
  const { token, encodingAesKey, appid, previousEncodingAesKey } = options
  str('MsgCrypt', 'token', token)
  str('MsgCrypt', 'appid', appid)
  for (const [name, key] of [['encodingAesKey', encodingAesKey], ['previousEncodingAesKey', previousEncodingAesKey]]) {
    if (name === 'previousEncodingAesKey' && key === undefined) continue
    if (typeof key !== 'string' || key.length !== 43) {
      throw fail('MsgCrypt', `${name} must be 43 characters, got ${typeof key === 'string' ? key.length : typeof key}`)
    }
  }
  return { handle: new native.NativeMsgCrypt(token, encodingAesKey, appid, previousEncodingAesKey), appid }
}

class MsgCrypt {
  /** @param {{ token: string, encodingAesKey: string, appid: string, previousEncodingAesKey?: string }} options */
  constructor(options) {
    const { handle, appid } = guard('MsgCrypt', () => openNative(options))
    Object.defineProperty(this, 'native', { value: handle, enumerable: false })
    Object.defineProperty(this, 'appid', { value: appid, enumerable: true })
  }

  /** msg_signature of `encrypt`, or the plain URL signature when `encrypt` is absent. */
  signature(args = {}) {
    return guard('signature', () => {
      const { timestamp, nonce, encrypt } = args
      if (encrypt !== undefined && typeof encrypt !== 'string') throw fail('signature', 'encrypt must be a string')
      return this.native.signature(String(timestamp), String(nonce), encrypt)
    })
  }

  /** Constant-time check; `signature` (or `msgSignature`) against timestamp, nonce and optional encrypt. */
  verify(args = {}) {
    return guard('verify', () => {
      const { signature, msgSignature, timestamp, nonce, encrypt } = args
      const sig = msgSignature !== undefined ? msgSignature : signature
      if (typeof sig !== 'string') return false
      if (encrypt !== undefined && typeof encrypt !== 'string') return false
      return this.native.verify(sig, String(timestamp), String(nonce), encrypt)
    })
  }

  /** The base64 `Encrypt` value; `random` (16 bytes) only for reproducible tests. */
  encrypt(plaintext, options = {}) {
    return guard('encrypt', () => {
      str('encrypt', 'plaintext', plaintext)
      const { random } = options
      const prefix = random === undefined ? undefined : Buffer.from(random)
      return this.native.encrypt(plaintext, prefix)
    })
  }

  /** Decrypts an `Encrypt` value you have already authenticated (tries the previous key too). */
  decrypt(encrypt) {
    return guard('decrypt', () => {
      str('decrypt', 'encrypt', encrypt)
      return this.native.decrypt(encrypt)
    })
  }

  /** Verifies msg_signature and decrypts a pushed body; returns the inner XML. */
  decryptPush(args = {}) {
    return guard('decryptPush', () => {
      const { query, body } = args
      const text = Buffer.isBuffer(body) ? body.toString('utf8') : body
      str('decryptPush', 'body', text)
      return this.native.decryptPush(normalizeQuery(query), text)
    })
  }

  /** A passive reply in WeChat's encrypted envelope. */
  encryptReply(replyXml, options = {}) {
    return guard('encryptReply', () => {
      str('encryptReply', 'replyXml', replyXml)
      const { timestamp, nonce } = nowAndNonce(options)
      return this.native.encryptReply(replyXml, timestamp, nonce)
    })
  }

  /** What WeChat would POST to you: `{ body, query }` (for testing your own handlers). */
  encryptPush(innerXml, options = {}) {
    return guard('encryptPush', () => {
      str('encryptPush', 'innerXml', innerXml)
      const { timestamp, nonce } = nowAndNonce(options)
      const { body, msgSignature } = this.native.encryptPush(innerXml, timestamp, nonce)
      return { body, query: { timestamp, nonce, encrypt_type: 'aes', msg_signature: msgSignature } }
    })
  }

  /** URL verification (GET): the echostr to answer, decrypted in safe mode. */
  verifyUrl(query) {
    return guard('verifyUrl', () => this.native.verifyUrl(normalizeQuery(query)))
  }
}

/** hex(sha1(the parts sorted and joined)): WeChat's signature primitive. */
function sign(...parts) {
  return guard('sign', () => {
    const list = parts.length === 1 && Array.isArray(parts[0]) ? parts[0] : parts
    return native.cryptoSign(list.map(String))
  })
}

/**
 * A pushed `<xml>…</xml>` message → an object with WeChat's field names: repeated elements as arrays (every
 * `Actions` of an `add_express_path`), nested ones as objects, text and CDATA as sent, unknown fields kept;
 * the fields the official pages type as numbers are numbers, everything else stays a string. No DTDs,
 * size-capped.
 */
function parseXml(xml) {
  return guard('parseXml', () => {
    str('parseXml', 'xml', xml)
    return JSON.parse(native.cryptoParseXml(xml))
  })
}

/**
 * A mini program user's open data (`wx.getUserProfile`-era payloads, the phone button's): AES-128-CBC under the
 * session key code2Session gave, checked to carry `appid` in its watermark (`fallbackAppid`: the default
 * client's). The key is never part of an error.
 */
function decryptData(args, fallbackAppid) {
  return guard('decryptData', () => {
    if (args === null || typeof args !== 'object') throw fail('decryptData', 'takes { sessionKey, encryptedData, iv, appid? }')
    const { sessionKey, encryptedData, iv } = args
    str('decryptData', 'sessionKey', sessionKey)
    str('decryptData', 'encryptedData', encryptedData)
    str('decryptData', 'iv', iv)
    const appid = args.appid !== undefined ? args.appid : fallbackAppid
    if (typeof appid !== 'string' || appid === '') {
      throw fail('decryptData', 'appid is required to check the watermark: give it, or cloud.init({ appid }) / WECHAT_APPID')
    }
    return JSON.parse(native.cryptoDecryptData(sessionKey, encryptedData, iv, appid))
  })
}

module.exports = { MsgCrypt, sign, parseXml, decryptData }
