'use strict'
// A user's own store shared by several processes, as a database would be: the values live in the test process
// (`SharedStore`), and each worker reaches them over IPC (`ipcStore`), one round trip per operation.
// `setIfAbsent` is atomic because the test process handles one message at a time, like `INSERT … ON CONFLICT`.

class SharedStore {
  constructor() {
    this.entries = new Map()
    this.ops = { get: 0, set: 0, del: 0, setIfAbsent: 0 }
  }

  live(key) {
    const entry = this.entries.get(key)
    if (entry && entry.expires !== null && entry.expires <= Date.now()) this.entries.delete(key)
    return this.entries.get(key)
  }

  run({ op, key, value, ttlSeconds }) {
    this.ops[op]++
    const expires = ttlSeconds === undefined ? null : Date.now() + ttlSeconds * 1000
    switch (op) {
      case 'get':
        return this.live(key)?.value ?? null
      case 'set':
        this.entries.set(key, { value, expires })
        return null
      case 'del':
        this.entries.delete(key)
        return null
      case 'setIfAbsent':
        if (this.live(key)) return false
        this.entries.set(key, { value, expires })
        return true
      default:
        throw new Error(`unknown op ${op}`)
    }
  }

  /** Answers the store operations a forked worker sends. */
  serve(child) {
    child.on('message', (msg) => {
      if (!msg || !msg.storeOp) return
      let reply
      try {
        reply = { storeReply: msg.storeOp.sid, value: this.run(msg.storeOp) }
      } catch (e) {
        reply = { storeReply: msg.storeOp.sid, error: e.message }
      }
      if (child.connected) child.send(reply)
    })
  }
}

/** In a worker: the store object a user would pass as `store`, with or without setIfAbsent. */
function ipcStore({ locks }) {
  const pending = new Map()
  let next = 0
  process.on('message', (msg) => {
    if (!msg || msg.storeReply === undefined) return
    const waiting = pending.get(msg.storeReply)
    pending.delete(msg.storeReply)
    if (msg.error) waiting.reject(new Error(msg.error))
    else waiting.resolve(msg.value)
  })
  const ask = (op, key, value, ttlSeconds) => new Promise((resolve, reject) => {
    const sid = next++
    pending.set(sid, { resolve, reject })
    process.send({ storeOp: { sid, op, key, value, ttlSeconds } })
  })
  const store = {
    get: (key) => ask('get', key),
    set: (key, value, ttlSeconds) => ask('set', key, value, ttlSeconds),
    del: (key) => ask('del', key),
  }
  if (locks) store.setIfAbsent = (key, value, ttlSeconds) => ask('setIfAbsent', key, value, ttlSeconds)
  return store
}

module.exports = { SharedStore, ipcStore }
