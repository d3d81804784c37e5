'use strict'
// Error situations many catalogue cases share (cases.js and the long tail's longtail.js).

const { APP } = require('./context.js')

/** The most common documented code: a token WeChat no longer accepts. The client renews tokens it fetched
 * itself and retries, so the code shows with a fixed token that has been revoked. */
function revoked(params = {}) {
  return {
    async setup(ctx) {
      ctx.caller = await ctx.revokedClient()
    },
    params,
    errCode: 40001,
    check(err, ctx) {
      ctx.t.is(err.category, 'auth')
      ctx.t.is(err.attempts, 1, 'a fixed token cannot be renewed: no retry')
    },
  }
}

/** A token that outlived its two hours: WeChat answers 42001. A fixed token cannot be renewed, so it shows. */
function expired(params = {}) {
  return {
    async setup(ctx) {
      const { accessToken } = await ctx.anonymous.openapi.auth.getStableAccessToken({ grantType: 'client_credential', ...APP })
      await ctx.emu.advanceTime(7201)
      ctx.caller = ctx.fixedClient(accessToken)
    },
    params,
    errCode: 42001,
    check(err, ctx) {
      ctx.t.is(err.category, 'auth')
    },
  }
}

/** A documented code the emulator has no situation for: WeChat's answer is injected before the call runs.
 * An idempotent row is retried after -1 (busy), so the fault lasts for all three attempts. */
function injected(errCode, params = {}) {
  const busy = errCode === -1
  return {
    async setup(ctx) {
      await ctx.fault(ctx.row.name, errCode, busy && ctx.row.idempotent ? 3 : 1)
    },
    params,
    errCode,
    check(err, ctx) {
      ctx.t.is(err.attempts, busy && ctx.row.idempotent ? 3 : 1)
      // -1 after a non-idempotent call: it may have run, so it is not safe to repeat.
      ctx.t.is(err.retryable, busy && ctx.row.idempotent)
    },
  }
}

module.exports = { revoked, expired, injected }
