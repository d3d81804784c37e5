'use strict'
// `component.pushHandler()`, `push.pushHandler()`, `component.messages.pushHandler()`: a push URL as a request
// handler for node:http, Express (`app.all(path, handler)`) and Koa (`router.all(path, handler)`). It reads the
// raw body itself (capped), answers 200 'success' (or the listener's reply), the echostr of a URL check (GET,
// where the target verifies URLs), 400 with a short reason for a rejected push, or 500 when we failed (a store
// or a listener), so WeChat pushes again. Only a passive reply is typed by its content; everything else is
// plain text with nosniff: the plain signature does not cover the echostr, so markup in it must never render.

const { makeError, SDK_CODES } = require('./errors.js')
const { parseQueryString, queryOf } = require('./query.js')
const { callSafely, warn } = require('./guard.js')

const DEFAULT_MAX_BYTES = 64 * 1024
const HARD_MAX_BYTES = 1024 * 1024

function rejection(text) {
  return makeError('component.handlePush', 'invalid-argument', `push rejected: ${text}`)
}

/** Koa calls middleware as (ctx, next); ctx carries req, res and request. */
function isKoaContext(a) {
  return a && typeof a === 'object' && a.req && a.res && a.request && a.response
}

/** A body some parser already read, in its raw form; undefined when the stream is still unread. */
function alreadyRead(req, koaRequest) {
  for (const candidate of [koaRequest && koaRequest.rawBody, req.rawBody, req.body]) {
    if (typeof candidate === 'string') return candidate
    if (Buffer.isBuffer(candidate)) return candidate.toString('utf8')
  }
  // body-parser marks what it parsed with _body (and sets req.body = {} even when it skipped the request).
  if (req.readableEnded || req._body === true) {
    throw rejection('the body was already consumed by a body parser; mount pushHandler() before it, or keep the raw body')
  }
  return undefined
}

function readBody(req, maxBytes) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers && req.headers['content-length'])
    if (declared > maxBytes) {
      req.resume()
      return reject(rejection(`body exceeds ${maxBytes} bytes`))
    }
    const chunks = []
    let size = 0
    const onData = (chunk) => {
      size += chunk.length
      if (size > maxBytes) {
        cleanup()
        req.resume() // drain the rest so the answer can still be sent
        return reject(rejection(`body exceeds ${maxBytes} bytes`))
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      cleanup()
      resolve(Buffer.concat(chunks).toString('utf8'))
    }
    const onError = (e) => {
      cleanup()
      reject(e)
    }
    function cleanup() {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}

/** A push the core (or this handler) refused as bad: answered 400, not 500. */
function isRejection(error) {
  return Boolean(error && error.errCode === SDK_CODES.BAD_ARGUMENTS && String(error.errMsg).includes('push rejected: '))
}

/** The short reason a 400 carries: the core's text after "push rejected: ", never the push itself. */
function reasonOf(error) {
  const text = String((error && error.errMsg) || '')
  const at = text.indexOf('push rejected: ')
  return at === -1 ? 'bad request' : text.slice(at + 'push rejected: '.length)
}

const PLAIN = 'text/plain; charset=utf-8'

/** The content type of a POSTed push's answer: a passive reply is XML or JSON, 'success' text. */
function replyType(text) {
  const first = String(text).trimStart()[0]
  if (first === '<') return 'text/xml; charset=utf-8'
  if (first === '{') return 'application/json; charset=utf-8'
  return PLAIN
}

/**
 * @param {{ handlePush(request: { query: object, body?: string }, req: object): Promise<string>, verifiesUrl?: boolean }} component
 * @param {{ maxBytes?: number, onError?: (error: Error) => void }} options
 */
function pushHandler(component, options = {}) {
  if (options === null || typeof options !== 'object') throw makeError('component.pushHandler', 'invalid-argument', 'options must be an object')
  const maxBytes = options.maxBytes === undefined ? DEFAULT_MAX_BYTES : options.maxBytes
  if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > HARD_MAX_BYTES) {
    throw makeError('component.pushHandler', 'invalid-argument', `maxBytes must be a whole number from 1 to ${HARD_MAX_BYTES}`)
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw makeError('component.pushHandler', 'invalid-argument', 'onError must be a function')
  }

  const onError = options.onError

  return function wechatPushHandler(a, b) {
    const koa = isKoaContext(a)
    const req = koa ? a.req : a
    const res = koa ? null : b
    const answer = (status, text, type = PLAIN) => {
      if (koa) {
        a.status = status
        a.type = type
        a.res.setHeader('x-content-type-options', 'nosniff')
        a.body = text
      } else if (!res.headersSent) {
        res.statusCode = status
        res.setHeader('content-type', type)
        res.setHeader('x-content-type-options', 'nosniff')
        res.end(text)
      }
    }
    // Never rejects: node:http and Express hold nothing that could catch it, and anyone can POST here.
    return (async () => {
      let failure
      try {
        const query = parseQueryString(queryOf(req.originalUrl || req.url))
        if (req.method === 'GET' && component.verifiesUrl) {
          // The echostr as sent (WeChat compares it), never typed by what it looks like.
          answer(200, await component.handlePush({ query }, req))
          return
        }
        if (req.method !== 'POST') throw rejection('pushes are POSTed')
        let body = alreadyRead(req, koa && a.request)
        if (body === undefined) body = await readBody(req, maxBytes)
        if (Buffer.byteLength(body) > maxBytes) throw rejection(`body exceeds ${maxBytes} bytes`)
        const reply = await component.handlePush({ query, body }, req)
        answer(200, reply, replyType(reply))
        return
      } catch (e) {
        failure = e
      }
      let [status, text] = [500, 'internal error']
      try {
        // What failed may be a listener's own throw: any value at all, with getters that throw (then: 500).
        if (isRejection(failure)) [status, text] = [400, reasonOf(failure)]
      } catch {
        // not a push we rejected
      }
      try {
        answer(status, text)
      } catch (e) {
        warn('pushHandler (answering a failed push)', e)
      }
      if (onError) callSafely('pushHandler onError', onError, undefined, [failure])
    })()
  }
}

module.exports = { pushHandler, DEFAULT_MAX_BYTES }
