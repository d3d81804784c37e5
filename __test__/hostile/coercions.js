'use strict'
// Ways a program (or a logger, a test framework, a template) turns a value into a primitive or pokes at its
// Object.prototype names. Used on the openapi proxies by proxies.spec.js, each in its own child process.

const util = require('node:util')

const PROTOTYPE_NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), ...Object.getOwnPropertyNames(Function.prototype)])]

const COERCIONS = {
  'String(x)': (x) => String(x),
  'template literal': (x) => `${x}`,
  "'' + x": (x) => '' + x,
  "x == 'x'": (x) => x == 'x', // eslint-disable-line eqeqeq
  '[x].join()': (x) => [x].join(),
  'Number(x)': (x) => Number(x),
  'x < 1': (x) => x < 1,
  'x.toString()': (x) => x.toString(),
  'x.valueOf()': (x) => typeof x.valueOf(),
  'x.toLocaleString()': (x) => x.toLocaleString(),
  'x[Symbol.toPrimitive]': (x) => typeof x[Symbol.toPrimitive],
  'util.inspect(x)': (x) => util.inspect(x),
  'util.format(%s %d %j)': (x) => util.format('%s %d %i %f %j %o %O', x, x, x, x, x, x, x),
  'x[util.inspect.custom]': (x) => typeof x[util.inspect.custom],
  'x.inspect': (x) => typeof x.inspect,
  'JSON.stringify(x)': (x) => JSON.stringify(x),
  'Object.prototype.toString.call(x)': (x) => Object.prototype.toString.call(x),
  'await x': async (x) => typeof (await x),
  // Every Object.prototype / Function.prototype name, called as a method: none may be an API call.
  'every prototype name, called': (x) => {
    const started = []
    for (const name of PROTOTYPE_NAMES) {
      let value
      try {
        value = x[name]
        if (typeof value === 'function') value = value.call(x)
      } catch {
        continue // a synchronous TypeError from a built-in used without arguments is fine
      }
      if (value instanceof Promise) started.push(name)
    }
    if (started.length) throw new Error(`these names started a call: ${started.join(', ')}`)
    return 'none started a call'
  },
}

module.exports = { COERCIONS, PROTOTYPE_NAMES }
