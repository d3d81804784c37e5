// Used by the tests: compares `import *` with require() of the same package.
import { createRequire } from 'node:module'
import * as esm from 'wechat-openapi'

const cjs = createRequire(import.meta.url)('wechat-openapi')
const named = Object.keys(esm).filter((k) => k !== 'default')
console.log(JSON.stringify({
  sameObject: esm.default === cjs,
  missingNamed: Object.keys(cjs).filter((k) => !named.includes(k)),
  extraNamed: named.filter((k) => !(k in cjs)),
}))
